import mqtt, { type MqttClient } from 'mqtt'
import { topics } from '../../base/events/topics.js'
import type { ScriptStep } from './script.js'

export interface ProducerOptions {
  url: string
  username: string
  password: string
  site: string
  script: readonly ScriptStep[]
  intervalMs: number
  onError?(err: Error): void
}

/** A third-party MQTT producer replaying a script on the gateway's ingest topics, QoS 1, forever. */
export class ScriptedProducer {
  private client: MqttClient | undefined
  private timer: NodeJS.Timeout | undefined
  private step = 0
  published = 0

  constructor(private readonly opts: ProducerOptions) {}

  async start(): Promise<void> {
    this.client = await mqtt.connectAsync(this.opts.url, {
      username: this.opts.username,
      password: this.opts.password,
      clientId: `producer-${this.opts.username}`,
    })
    this.client.on('error', (err) => this.opts.onError?.(err))
    this.timer = setInterval(() => this.next(), this.opts.intervalMs)
  }

  private next(): void {
    const s = this.opts.script[this.step++ % this.opts.script.length]
    if (!s || !this.client) return
    this.client.publish(topics.ingest(this.opts.site, s.device), JSON.stringify(s.payload), { qos: 1 }, (err) => {
      if (err) this.opts.onError?.(err)
      else this.published++
    })
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.client?.endAsync()
  }
}
