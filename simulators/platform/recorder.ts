import { EventSchema, type GatewayEvent } from '../../base/events/event.js'

export interface PlatformReport {
  received: number
  unique: number
  duplicates: number
  /** Per-device sequence numbers skipped (evicted or parked upstream, or lost). */
  gaps: number
  /** Events that arrived with a per-device seq lower than one already seen. */
  orderViolations: number
  invalid: number
  devices: number
  /** Events marked `test: true` (devices on walk test). */
  tests: number
}

/**
 * What a monitoring centre checks on every event it receives: duplicates by event id (never by the
 * MQTT DUP flag), gaps and order per device by the per-device `seq`. Pure: no I/O.
 */
export class Recorder {
  readonly events: GatewayEvent[] = []
  private readonly ids = new Set<string>()
  private readonly lastSeq = new Map<string, number>()
  private readonly r: PlatformReport = { received: 0, unique: 0, duplicates: 0, gaps: 0, orderViolations: 0, invalid: 0, devices: 0, tests: 0 }
  readonly invalidSamples: string[] = []

  /** Returns the event when it is new, undefined for a duplicate or an invalid payload. */
  record(payload: Buffer | string): GatewayEvent | undefined {
    this.r.received++
    let ev: GatewayEvent
    try {
      const parsed = EventSchema.safeParse(JSON.parse(payload.toString()))
      if (!parsed.success) throw new Error(parsed.error.message)
      ev = parsed.data
    } catch (err) {
      this.r.invalid++
      if (this.invalidSamples.length < 10) this.invalidSamples.push(String(err))
      return undefined
    }
    if (this.ids.has(ev.id)) {
      this.r.duplicates++
      return undefined
    }
    this.ids.add(ev.id)
    this.r.unique++
    if (ev.test === true) this.r.tests++
    const key = `${ev.site}/${ev.device}`
    const last = this.lastSeq.get(key)
    if (last === undefined) this.r.devices++
    if (last !== undefined && ev.seq <= last) this.r.orderViolations++
    else {
      if (last !== undefined && ev.seq > last + 1) this.r.gaps += ev.seq - last - 1
      this.lastSeq.set(key, ev.seq)
    }
    this.events.push(ev)
    return ev
  }

  report(): PlatformReport {
    return { ...this.r }
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }
}
