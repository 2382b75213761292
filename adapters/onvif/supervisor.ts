/**
 * Online/offline for one camera, from three signals: any answer from it (a pull, a ping), whether
 * its event service works (a pull or a subscription succeeded), and whether it accepts what we
 * configured (credentials, address). Pure: the adapter reports what happened and asks `check(now)`.
 * [ARCHITECTURE: Supervision] a device silent longer than its window goes `device.offline`.
 */
export type Transition =
  | {
      online: boolean
      reason: string
      /** Only the reason changed while offline (the camera now answers, or stopped answering): state, not a new event. */
      update?: true
    }
  | undefined

/** Why a camera is offline, in kinds an installer acts on differently. */
type Verdict = { online: boolean; reason: string; key: string }

export class Supervisor {
  private lastContact: number
  private lastEvents: number
  private contactError: string | undefined
  private eventsError: string | undefined
  private setupError: string | undefined
  /** undefined until the first verdict. */
  private online: boolean | undefined
  private key: string | undefined
  private eventsSeen = false
  private contacted = false

  constructor(
    private readonly windowMs: number,
    startedAt: number,
  ) {
    this.lastContact = startedAt
    this.lastEvents = startedAt
  }

  /** The camera answered something (a ping, a pull, even a fault). */
  contact(now: number): void {
    this.lastContact = now
    this.contacted = true
    this.contactError = undefined
  }

  /** A request to the camera got no answer (timeout, refused or reset connection). */
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

  /** The camera refused our credentials or is not at the configured address: offline until a request succeeds. */
  refused(reason: string): void {
    this.setupError = reason
  }

  refusedNoMore(): void {
    this.setupError = undefined
  }

  /** When the camera last answered anything; undefined before its first answer. */
  get lastContactAt(): number | undefined {
    return this.contacted ? this.lastContact : undefined
  }

  get isOnline(): boolean | undefined {
    return this.online
  }

  private verdict(now: number): Verdict | undefined {
    const secs = (ms: number): string => `${Math.round(ms / 1000)} s`
    const silent = (why: string | undefined): Verdict => ({
      online: false,
      key: 'silent',
      reason: `no answer for ${secs(now - this.lastContact)}${why ? ` (${why})` : ''}`,
    })
    if (now - this.lastContact > this.windowMs) return silent(this.contactError ?? this.eventsError)
    if (this.setupError !== undefined) return { online: false, key: `refused ${this.setupError}`, reason: this.setupError }
    if (now - this.lastEvents > this.windowMs) {
      // No events for the window. If our last attempt to reach it got no answer, it is not there
      // (a powered-off camera refuses connections): say so, not "answers".
      if (this.contactError !== undefined) return silent(this.contactError)
      // It answers pings, but we get no events from it: as good as offline for an alarm system.
      return {
        online: false,
        key: 'no events',
        reason: `answers, but no events for ${secs(now - this.lastEvents)}${this.eventsError ? ` (${this.eventsError})` : ''}`,
      }
    }
    return this.eventsSeen ? { online: true, key: 'online', reason: 'answering' } : undefined
  }

  /** A change of state to report, if any: going online or offline, or a new kind of reason while offline. */
  check(now: number): Transition {
    const v = this.verdict(now)
    if (v === undefined || v.key === this.key) return undefined
    const update = v.online === this.online
    this.online = v.online
    this.key = v.key
    return update ? { online: v.online, reason: v.reason, update } : { online: v.online, reason: v.reason }
  }
}
