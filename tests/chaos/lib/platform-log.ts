import mqtt, { type MqttClient } from 'mqtt'
import { EventSchema } from '../../../base/events/event.js'
import { TOPIC_ROOT } from '../../../base/events/topics.js'
import type { Arrival } from '../checker.js'

const SUPERVISION = new Set(['device.online', 'device.offline'])

/**
 * Every event the platform receives, duplicates included, in arrival order: a real MQTT client
 * subscribed on the platform simulator's broker (its recorder keeps only the first copy of an id).
 */
export class PlatformLog {
  readonly arrivals: Arrival[] = []
  readonly ids = new Set<string>()
  /** Events about the gateway itself (gateway.started, evictions): no device's sequence. */
  gatewayEvents = 0
  invalid = 0
  /** Range of (the event's receivedAt - our clock) at arrival: how far the gateway's clock was off. */
  skewMs = { min: Infinity, max: -Infinity }
  private constructor(private readonly client: MqttClient) {}

  static async open(platformUrl: string, login: { username: string; password: string }): Promise<PlatformLog> {
    const client = await mqtt.connectAsync(platformUrl, { ...login, clientId: `chaos-log-${process.pid}`, reconnectPeriod: 0 })
    const log = new PlatformLog(client)
    client.on('message', (_topic, payload) => log.record(payload))
    await client.subscribeAsync(`${TOPIC_ROOT}/+/event/#`, { qos: 1 })
    return log
  }

  private record(payload: Buffer): void {
    let json: unknown
    try {
      json = JSON.parse(payload.toString())
    } catch {
      json = undefined // counted below, as a platform would count a payload it cannot read
    }
    const parsed = EventSchema.safeParse(json)
    if (!parsed.success) {
      this.invalid++
      return
    }
    const ev = parsed.data
    if (ev.kind === 'gateway') {
      this.gatewayEvents++
      if (ev.type === 'journal.evicted') this.recordEvicted(ev.attrs['undeliveredSeqs'])
      return
    }
    const skew = Date.parse(ev.receivedAt) - Date.now()
    this.skewMs = { min: Math.min(this.skewMs.min, skew), max: Math.max(this.skewMs.max, skew) }
    const probe = ev.attrs['probe'] ?? ev.attrs['zone']
    this.arrivals.push({
      id: ev.id,
      device: ev.device,
      seq: ev.seq,
      probe: probe === undefined ? undefined : String(probe),
      arrivedAt: Date.now(),
      ...(SUPERVISION.has(ev.type) ? { supervision: true } : {}),
    })
    this.ids.add(ev.id)
  }

  /** The seqs the gateway reported evicting undelivered, per device (what explains a seq gap). */
  readonly evictedSeqs = new Map<string, Array<[number, number]>>()

  private recordEvicted(seqs: unknown): void {
    if (typeof seqs !== 'object' || seqs === null) return
    for (const [device, ranges] of Object.entries(seqs)) {
      if (!Array.isArray(ranges)) continue
      const list = this.evictedSeqs.get(device) ?? []
      for (const r of ranges) if (Array.isArray(r) && r.length === 2) list.push([Number(r[0]), Number(r[1])])
      this.evictedSeqs.set(device, list)
    }
  }

  /** Waits until every id has arrived, or the deadline passes (then returns false). */
  async waitFor(ids: Iterable<string>, deadlineMs: number): Promise<boolean> {
    const want = [...ids]
    const until = Date.now() + deadlineMs
    while (Date.now() < until) {
      if (want.every((id) => this.ids.has(id))) return true
      await new Promise((r) => setTimeout(r, 25))
    }
    return want.every((id) => this.ids.has(id))
  }

  async close(): Promise<void> {
    await this.client.endAsync(true)
  }
}
