/** The first hold after a refusal; doubled at each repeat, up to the cap. */
const FIRST_HOLD_MS = 60_000
const MAX_HOLD_MS = 3_600_000

/**
 * Topics the platform refused (a refusal reason code, or connections closed right after the
 * publish): held back for a while so one missing permission costs a reconnect or two per hold, not
 * one per status tick. After the hold the next publish tries again, in case the permission was granted.
 */
export class RefusedTopics {
  private readonly held = new Map<string, { until: number; times: number }>()
  /** The topic the last connection closed on, not yet confirmed as refused. */
  private suspected: string | undefined

  constructor(private readonly now: () => number) {}

  /** Records a refusal of `topic`; returns how long it is held back. */
  refuse(topic: string): number {
    const times = (this.held.get(topic)?.times ?? 0) + 1
    const holdMs = Math.min(MAX_HOLD_MS, FIRST_HOLD_MS * 2 ** (times - 1))
    this.held.set(topic, { until: this.now() + holdMs, times })
    return holdMs
  }

  /**
   * A connection closed with a publish to `topic` the oldest unacknowledged. Once may be the platform
   * going away at that moment; the second close in a row on the same topic is taken as a refusal.
   * Returns the hold in ms when it is, undefined otherwise.
   */
  closedOn(topic: string | undefined): number | undefined {
    if (topic === undefined || topic !== this.suspected) {
      this.suspected = topic
      return undefined
    }
    this.suspected = undefined
    return this.refuse(topic)
  }

  isHeld(topic: string): boolean {
    const h = this.held.get(topic)
    return h !== undefined && this.now() < h.until
  }

  /** The platform took a publish on `topic`: the permission is there (again). */
  accepted(topic: string): void {
    this.held.delete(topic)
    if (this.suspected === topic) this.suspected = undefined
  }
}
