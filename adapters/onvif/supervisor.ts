/**
 * Online/offline for one camera, from two signals: any answer from it (a pull, a ping) and whether
 * it accepts our credentials. Pure: the adapter reports what happened and asks `check(now)`.
 * [ARCHITECTURE: Supervision] a device silent longer than its window goes `device.offline`.
 */
export type Transition = { online: boolean; reason: string } | undefined

export class Supervisor {
  private lastContact: number
  private lastError: string | undefined
  private authError: string | undefined
  /** undefined until the first verdict: a gateway start is not a camera coming back. */
  private online: boolean | undefined
  private answered = false

  constructor(
    private readonly windowMs: number,
    startedAt: number,
  ) {
    this.lastContact = startedAt
  }

  contact(now: number): void {
    this.answered = true
    this.lastContact = now
    this.lastError = undefined
  }

  failure(reason: string): void {
    this.lastError = reason
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
    const silentFor = now - this.lastContact
    let verdict: Transition
    if (silentFor > this.windowMs) {
      verdict = { online: false, reason: `no answer for ${Math.round(silentFor / 1000)} s${this.lastError ? ` (${this.lastError})` : ''}` }
    } else if (this.authError !== undefined) {
      verdict = { online: false, reason: this.authError }
    } else if (this.answered) {
      verdict = { online: true, reason: 'answering' }
    }
    if (verdict === undefined || verdict.online === this.online) return undefined
    this.online = verdict.online
    return verdict
  }
}
