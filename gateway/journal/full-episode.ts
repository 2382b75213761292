import type { Logger } from '../../base/log.js'

/** Between two recovery attempts while the disk stays full: bounds CPU and log volume. */
export const RECOVERY_INTERVAL_MS = 1000
/** A batch holding an alarm (priority 1-2) may try sooner: new alarms must get through. */
export const URGENT_RECOVERY_INTERVAL_MS = 100

/**
 * One period during which the journal cannot commit because its disk or database is full. The
 * transition is reported once (log line and `full` event); repeats are counted and logged at debug,
 * so reporting a full journal, itself a commit, cannot feed on its own failure.
 */
export class FullEpisode {
  private since: number | undefined
  private lastRecovery = -Infinity
  private refused = 0
  private recoveries = 0

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  get active(): boolean {
    return this.since !== undefined
  }

  /** Marks the journal full; true only on the transition, when it must be reported. */
  enter(err: Error): boolean {
    if (this.since !== undefined) return false
    this.since = this.now()
    this.refused = 0
    this.recoveries = 0
    this.log.error({ err }, 'journal full: events are refused until space is freed; releasing the spare file, checkpointing and evicting')
    return true
  }

  /** True when a recovery may run now (at most one per interval). */
  mayRecover(urgent: boolean): boolean {
    const t = this.now()
    if (t - this.lastRecovery < (urgent ? URGENT_RECOVERY_INTERVAL_MS : RECOVERY_INTERVAL_MS)) return false
    this.lastRecovery = t
    this.recoveries++
    return true
  }

  /** When the next recovery may run, for scheduling retries of acknowledgements. */
  msUntilRecovery(): number {
    return Math.max(0, this.lastRecovery + RECOVERY_INTERVAL_MS - this.now())
  }

  refuse(events: number, err: Error): void {
    this.refused += events
    this.log.debug({ err, events, refused: this.refused }, 'journal still full; events refused')
  }

  /** A commit succeeded again: the period's summary, logged once. */
  leave(): { fullMs: number; refused: number; recoveries: number } {
    const s = { fullMs: this.since === undefined ? 0 : this.now() - this.since, refused: this.refused, recoveries: this.recoveries }
    this.log.warn(s, 'journal recovered: committing again')
    // lastRecovery stays: on a disk that stays full, recording this very recovery may fill it
    // again, and recoveries (each evicting) must not follow one another faster than the interval.
    this.since = undefined
    return s
  }
}
