import type { Logger } from '../base/log.js'

/** What the forwarder reports on the health API; backlog figures are null when they are unknown. */
export interface ForwarderStatus {
  state: string
  backlog: number
  inflight: number
  /** null when nothing waits, or when the outbox could not be read (then `outboxError` says why). */
  oldestUndeliveredAgeMs: number | null
  delivered: number
  /** When this uplink last acknowledged an event (ms since the epoch); null before the first. */
  lastAckAt: number | null
  deliveryRatePerSec: number
  /** null when the outbox could not be read. */
  parked: number | null
  /** Why the outbox cannot be read, while it cannot: the backlog figures are then unknown. */
  outboxError: string | null
}

/** Deliveries, their rate over the last second or more, and the outbox's read failures. */
export class ForwarderStats {
  delivered = 0
  lastAckAt: number | null = null
  private readFailures = 0
  private rateMark = { at: 0, delivered: 0, rate: 0 }

  constructor(private readonly log: Logger) {}

  /** The uplink acknowledged an event. */
  acked(now: number): void {
    this.delivered++
    this.lastAckAt = now
  }

  started(now: number): void {
    this.rateMark = { at: now, delivered: 0, rate: 0 }
  }

  /** Events per second, measured over at least one second. */
  rate(now: number): number {
    const dt = now - this.rateMark.at
    if (dt >= 1000) this.rateMark = { at: now, delivered: this.delivered, rate: ((this.delivered - this.rateMark.delivered) * 1000) / dt }
    return Math.round(this.rateMark.rate * 10) / 10
  }

  /** Failed outbox reads in a row: a retry waits longer for each. */
  get failures(): number {
    return this.readFailures
  }

  /** Logged once, then counted at debug: a broken journal would otherwise log at every retry. */
  readFailed(err: unknown): void {
    if (++this.readFailures === 1) {
      this.log.error({ err }, 'cannot read the outbox: events wait in the journal until it can be read')
    } else {
      this.log.debug({ err, failures: this.readFailures }, 'outbox still unreadable')
    }
  }

  readOk(): void {
    if (this.readFailures === 0) return
    this.log.info({ failures: this.readFailures }, 'outbox readable again')
    this.readFailures = 0
  }
}
