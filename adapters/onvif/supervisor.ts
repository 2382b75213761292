/**
 * Online/offline for one camera, from three signals: any answer from it (a pull, a ping), whether
 * its event service works (a pull or a subscription succeeded), and whether it accepts our
 * credentials. Pure: the adapter reports what happened and asks `check(now)`.
 * [ARCHITECTURE: Supervision] a device silent longer than its window goes `device.offline`.
 */
export type Transition = { online: boolean; reason: string } | undefined

export class Supervisor {
  private lastContact: number
  private lastEvents: number
  private contactError: string | undefined
  private eventsError: string | undefined
  private authError: string | undefined
  /** undefined until the first verdict: a gateway start is not a camera coming back. */
  private online: boolean | undefined
  private eventsSeen = false

  constructor(
    private readonly windowMs: number,
    startedAt: number,
  ) {
    this.lastContact = startedAt
    this.lastEvents = startedAt
  }

  /** The camera answered something (a ping, a pull). */
  contact(now: number): void {
    this.lastContact = now
    this.contactError = undefined
  }

  /** A request to the camera failed without an answer (timeout, refused connection). */
  failure(reason: string): void {
    this.contactError = reason
  }

  /** A subscription or a pull succeeded: events flow. */
  eventsOk(now: number): void {
    this.contact(now)
    this.eventsSeen = true
    this.lastEvents = now
    this.eventsError = undefined
  }

  /** The event service failed (a fault, an HTTP error, no answer). */
  eventsFailed(reason: string): void {
    this.eventsError = reason
  }

  /** The camera refused our credentials: offline (to us) until a request succeeds with them. */
  authFailed(reason: string): void {
    this.authError = reason
  }

  authOk(): void {
    this.authError = undefined
  }

  get isOnline(): boolean | undefined {
    return this.online
  }

  /** A change of state to report, if any. */
  check(now: number): Transition {
    const secs = (ms: number): number => Math.round(ms / 1000)
    let verdict: Transition
    if (now - this.lastContact > this.windowMs) {
      const why = this.contactError ?? this.eventsError
      verdict = { online: false, reason: `no answer for ${secs(now - this.lastContact)} s${why ? ` (${why})` : ''}` }
    } else if (this.authError !== undefined) {
      verdict = { online: false, reason: this.authError }
    } else if (now - this.lastEvents > this.windowMs) {
      // It answers pings, but we get no events from it: as good as offline for an alarm system.
      verdict = { online: false, reason: `answers, but no events for ${secs(now - this.lastEvents)} s${this.eventsError ? ` (${this.eventsError})` : ''}` }
    } else if (this.eventsSeen) {
      verdict = { online: true, reason: 'answering' }
    }
    if (verdict === undefined || verdict.online === this.online) return undefined
    this.online = verdict.online
    return verdict
  }
}
