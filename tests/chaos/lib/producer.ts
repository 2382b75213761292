import mqtt, { type MqttClient } from 'mqtt'
import { topics } from '../../../base/events/topics.js'
import type { Sent } from '../checker.js'

export interface ProducerLogin {
  username: string
  password: string
}

/**
 * A third-party MQTT producer for one device: a fixed stream of events with its own ids, published
 * at QoS 1 with a bounded window, as a real QoS 1 client does. After the gateway dies it resends,
 * in order, everything not yet acknowledged (the gateway merges what it had already committed).
 */
export class ChaosProducer {
  readonly messages: Sent[]
  private client: MqttClient | undefined
  private next = 0
  private stopped = false

  constructor(
    readonly site: string,
    readonly device: string,
    count: number,
    newId: () => string,
    private readonly typeOf: (n: number) => string,
    private readonly window: number,
    /** Pause after each acknowledgement, so the stream spans the faults (0: as fast as acked). */
    private readonly paceMs = 0,
  ) {
    this.messages = Array.from({ length: count }, (_, n) => ({ device, n, id: newId(), probe: String(n) }))
  }

  get acked(): number {
    let k = 0
    for (const m of this.messages) if (m.ackedAt !== undefined) k++
    return k
  }

  get done(): boolean {
    return this.messages.every((m) => m.ackedAt !== undefined)
  }

  /**
   * Connects and publishes from the first unacknowledged message on; returns once connected.
   * With `reconnect`, a connection the gateway drops is made again (and the unacknowledged
   * resent) until stop().
   */
  async start(brokerPort: number, login: ProducerLogin, reconnect = false): Promise<void> {
    this.stopped = false
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { ...login, reconnectPeriod: 0, connectTimeout: 10_000 })
    client.on('error', () => undefined)
    this.client = client
    if (reconnect) client.once('close', () => this.again(client, brokerPort, login))
    this.next = this.messages.findIndex((m) => m.ackedAt === undefined)
    if (this.next < 0) return
    for (let i = 0; i < this.window; i++) this.pump(client)
  }

  /** One slot of the window: publish the next message, and on its PUBACK the one after. */
  private pump(client: MqttClient): void {
    if (client !== this.client || this.next >= this.messages.length) return
    const m = this.messages[this.next++]!
    if (m.ackedAt !== undefined) return this.pump(client)
    const payload = JSON.stringify({ id: m.id, type: this.typeOf(m.n), attrs: { probe: m.probe } })
    m.sentAt = Date.now()
    client.publishAsync(topics.ingest(this.site, this.device), payload, { qos: 1 }).then(
      () => {
        m.ackedAt ??= Date.now()
        if (this.paceMs > 0) setTimeout(() => this.pump(client), this.paceMs)
        else this.pump(client)
      },
      () => undefined, // the connection died: the next start() resends it
    )
  }

  private again(was: MqttClient, brokerPort: number, login: ProducerLogin): void {
    if (this.client !== was) return // stopped, or already replaced
    this.client = undefined
    const retry = (): void => {
      if (this.stopped) return
      this.start(brokerPort, login, true).catch(() => setTimeout(retry, 200))
    }
    setTimeout(retry, 100)
  }

  /** Drops the connection at once (the gateway is gone, or the run is over). */
  stop(): void {
    this.stopped = true
    const c = this.client
    this.client = undefined
    c?.end(true)
  }
}
