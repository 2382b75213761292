import type { Timers } from '../../base/timers.js'

/** One uplink's acknowledgement of one of the walk test's own gateway events. */
export interface Delivery {
  event: string
  acknowledged: boolean
  at?: string
}

/** What an uplink's acknowledgement of the walk test's events shows. */
export interface UplinkCheck {
  uplink: string
  type: string
  started: Delivery
  ended: Delivery
  proves: string
}

const PROVES: Readonly<Record<string, string>> = {
  mqtt: "the platform's broker acknowledged the event (MQTT PUBACK at QoS 1): the path from this gateway to the platform's broker works end to end; it does not show that the platform's application handled it",
  dc09: 'a receiver of the alarm-receiving centre acknowledged the walk test message (DC-09 ACK of Contact ID 607 / SIA TS and TE): the path to the centre works and the centre knows the account was on test',
}

/**
 * Remembers when each uplink acknowledged the events it is asked to watch (the forwarder reports
 * every acknowledgement; only watched ids are kept), and waits for them on injected timers.
 */
export class DeliveryWatch {
  private readonly watched = new Map<string, Map<string, number>>()
  private readonly waiters = new Set<(stop?: boolean) => void>()
  private released = false

  constructor(private readonly timers: Timers) {}

  watch(event: string): void {
    if (!this.watched.has(event)) this.watched.set(event, new Map())
  }

  forget(event: string): void {
    this.watched.delete(event)
  }

  /** Called by each uplink's forwarder for every event the uplink acknowledged. */
  delivered(uplink: string, event: string): void {
    const m = this.watched.get(event)
    if (!m || m.has(uplink)) return
    m.set(uplink, this.timers.now())
    for (const w of [...this.waiters]) w()
  }

  delivery(event: string, uplink: string): Delivery {
    const at = this.watched.get(event)?.get(uplink)
    return at === undefined ? { event, acknowledged: false } : { event, acknowledged: true, at: new Date(at).toISOString() }
  }

  /** The gateway is stopping: every wait, now and later, ends at once with what has been acknowledged. */
  release(): void {
    this.released = true
    for (const w of [...this.waiters]) w(true)
  }

  /** Resolves once every uplink acknowledged the event, after `timeoutMs`, or at `release()`. */
  waitFor(event: string, uplinks: readonly string[], timeoutMs: number): Promise<void> {
    const all = () => uplinks.every((u) => this.watched.get(event)?.has(u) === true)
    if (this.released || all() || timeoutMs <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(check)
        this.timers.clearTimeout(timer)
        resolve()
      }
      const check = (stop?: boolean) => {
        if (stop === true || all()) done()
      }
      const timer = this.timers.setTimeout(done, timeoutMs)
      this.waiters.add(check)
    })
  }
}

/** Each uplink's check from the walk test's started and ended events. */
export function uplinkChecks(watch: DeliveryWatch, uplinks: ReadonlyArray<{ id: string; type: string }>, started: string, ended: string): UplinkCheck[] {
  return uplinks.map((u) => ({
    uplink: u.id,
    type: u.type,
    started: watch.delivery(started, u.id),
    ended: watch.delivery(ended, u.id),
    proves: PROVES[u.type] ?? 'the uplink acknowledged the event',
  }))
}
