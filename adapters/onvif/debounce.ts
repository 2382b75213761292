/**
 * Motion on/off debouncing for one camera. Pure: the adapter feeds it the time and arms a timer at
 * `deadline()`. Motion starts at the first `on` from any source; it ends once every source has been
 * off for `holdMs`, so a detector that flickers makes one event, not a burst.
 */
export class MotionDebounce {
  private readonly activeSources = new Set<string>()
  private started = false
  private offSince: number | undefined

  constructor(private readonly holdMs: number) {}

  get active(): boolean {
    return this.started
  }

  /** A source reports motion; true when this starts a motion event. */
  on(source: string): boolean {
    this.activeSources.add(source)
    this.offSince = undefined
    if (this.started) return false
    this.started = true
    return true
  }

  /** A source reports no motion. */
  off(source: string, now: number): void {
    this.activeSources.delete(source)
    if (this.started && this.activeSources.size === 0 && this.offSince === undefined) this.offSince = now
  }

  /** When `due()` may next return true, if a motion end is pending. */
  deadline(): number | undefined {
    return this.offSince === undefined ? undefined : this.offSince + this.holdMs
  }

  /** True once when the motion event has ended. */
  due(now: number): boolean {
    if (this.offSince === undefined || now < this.offSince + this.holdMs) return false
    this.started = false
    this.offSince = undefined
    return true
  }

  /**
   * The subscription was lost: forget which sources were on. A motion event in progress ends after
   * the hold unless the new subscription reports motion again.
   */
  reset(now: number): void {
    this.activeSources.clear()
    if (this.started && this.offSince === undefined) this.offSince = now
  }
}
