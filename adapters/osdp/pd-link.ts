import { encodeFrame, type DecodedFrame, type Frame } from './codec.js'
import * as C from './commands.js'
import type { CommandPayload } from './commands.js'
import { REPLY, decodeNak, type Nak } from './replies.js'
import type { SecureSession } from './secure-session.js'
import { interpretReply, type LinkEvent } from './pd-replies.js'
import { StartUp, isHandshakeStep } from './pd-startup.js'
import { Refusals, refusalCause, type FaultCause } from './refusals.js'
import type { CommandOutcome, LinkCounters, LinkState, Outstanding, PdLinkOptions, Queued, Step } from './pd-link-types.js'

export type { LinkEvent } from './pd-replies.js'
export type { CommandOutcome, PdLinkOptions } from './pd-link-types.js'

/**
 * The control panel's side of one PD [OSDP 2.2 §5.6, §5.9]: one command outstanding, sequence
 * numbers (0 resets; then 1, 2, 3, 1, ...; a resend keeps its number and its exact bytes, so the
 * PD answers from its cache and the secure channel's MAC chain stays in step), retries inside the
 * offline window, BUSY, NAK, and the start-up sequence after every return. No timers and no I/O:
 * the bus scheduler calls `next(now)`, hands back replies and reports closed reply windows.
 */
export class PdLink {
  state: LinkState = 'offline'
  readonly counters: LinkCounters = { commands: 0, replies: 0, retries: 0, timeouts: 0, busy: 0, naks: 0, macFailures: 0, offline: 0 }
  private sqn = 0
  private outstanding: Outstanding | undefined
  private readonly queue: Queued[] = []
  private session: SecureSession | undefined
  /** The start-up sequence: its steps, the handshake and the key it names. */
  private readonly startUp: StartUp
  private lastHeardAt = Number.NEGATIVE_INFINITY
  private lastPollAt = Number.NEGATIVE_INFINITY
  private nextAttemptAt = 0
  /** What the adapter was last told: first contact, a return, or nothing new. */
  private reported: 'unknown' | 'online' | 'offline' = 'unknown'
  /** Failed attempts since the reader last answered a POLL. */
  private readonly refusals: Refusals

  constructor(readonly opts: PdLinkOptions) {
    this.refusals = new Refusals(opts.reconnectIntervalMs, opts.refusedRetryMaxMs)
    this.startUp = new StartUp(opts)
  }

  get address(): number {
    return this.opts.address
  }

  /** When the reader last answered (ms, on the bus's clock); undefined if it never has. */
  get heardAt(): number | undefined {
    // lastHeardAt starts at the first attempt (the offline window runs from there): not a reply yet.
    return this.counters.replies > 0 ? this.lastHeardAt : undefined
  }

  get secureActive(): boolean {
    return this.session !== undefined
  }

  /** A command is on the wire and its reply window is open. */
  get awaitingReply(): boolean {
    return this.outstanding !== undefined && this.outstanding.sentAt !== 0
  }

  /** The bus is stopping: queued commands are answered offline. */
  close(reason: string): void {
    for (const q of this.queue.splice(0)) q.done({ status: 'offline', reason })
  }

  /** Queues an application command (OUT, LED, BUZ); sent ahead of the next POLL. */
  enqueue(payload: CommandPayload): Promise<CommandOutcome> {
    if (this.reported !== 'online') return Promise.resolve({ status: 'offline', reason: 'reader offline' })
    return new Promise((done) => this.queue.push({ payload, done }))
  }

  /** The earliest time this link wants the bus (Infinity when it waits for a reply). */
  dueAt(): number {
    if (this.outstanding) return this.outstanding.sentAt === 0 ? this.outstanding.resendAt : Number.POSITIVE_INFINITY
    if (this.state === 'offline') return this.nextAttemptAt
    if (this.state === 'starting' || this.queue.length > 0) return 0
    return this.lastPollAt + this.opts.pollIntervalMs
  }

  /** The bytes to put on the wire now, or undefined when nothing is due. */
  next(now: number): Buffer | undefined {
    if (this.outstanding) {
      const o = this.outstanding
      if (o.sentAt !== 0 || now < o.resendAt) return undefined
      o.sentAt = now
      o.tries++
      this.counters.retries++
      return o.bytes
    }
    if (!Number.isFinite(this.lastHeardAt)) this.lastHeardAt = now
    if (this.state === 'offline') {
      if (now < this.nextAttemptAt) return undefined
      this.restart()
    }
    if (this.state === 'starting') return this.sendStep(now)
    const q = this.queue[0]
    if (q) return this.send(q.payload, 'queued', now)
    if (now < this.lastPollAt + this.opts.pollIntervalMs) return undefined
    this.lastPollAt = now
    return this.send(C.poll(), 'poll', now)
  }

  /** A reply window closed with nothing (valid) from this PD. */
  onTimeout(now: number): LinkEvent[] {
    const o = this.outstanding
    if (!o) return []
    this.counters.timeouts++
    // A reader already silent for the whole window gets one try per reconnect interval, so a dead
    // reader does not eat the bus time of the live ones.
    if (now - this.lastHeardAt >= this.opts.offlineAfterMs) {
      // A reader that was refusing until now is reported with what it refused: that is what to fix.
      const last = this.refusals.last
      const silent = now - this.lastHeardAt
      return this.goOffline(now, last ? `no answer but refusals for ${silent} ms, then no reply: ${last.detail}` : `no reply for ${silent} ms`)
    }
    o.sentAt = 0
    o.resendAt = now
    return []
  }

  /** A valid packet from this PD's address. */
  onReply(f: DecodedFrame, now: number): LinkEvent[] {
    const o = this.outstanding
    if (!o || o.sentAt === 0) return [{ type: 'bad-reply', reason: 'reply with no command outstanding' }]
    // Supervision counts only a reader that is being served: replies during the start-up sequence
    // (a reader that answers ID and CAP, then refuses the rest) do not keep it online.
    const serving = this.state === 'online'
    if (f.code === REPLY.BUSY) {
      // [OSDP 2.2 §7.17] the PD is busy: repeat the same command, same sequence number.
      this.counters.busy++
      if (serving) this.lastHeardAt = now
      o.sentAt = 0
      o.resendAt = now + this.opts.busyRetryMs
      return []
    }
    if (f.sqn !== o.sqn) return [{ type: 'bad-reply', reason: `sequence number ${f.sqn}, expected ${o.sqn}` }]
    let data = f.data
    // A PD that lost its session NAKs in the clear; anything else in the clear is a failure.
    if (this.session && (f.scb !== undefined || f.code !== REPLY.NAK)) {
      const opened = this.session.open(f)
      if (!opened.ok) {
        this.counters.macFailures++
        return [{ type: 'secure-failure', reason: opened.reason }, ...this.resync(now, { cause: 'secure-channel', detail: opened.reason })]
      }
      data = opened.data
    }
    // A NAK without its code is damaged: ignore it like noise and keep the window open.
    if (f.code === REPLY.NAK && data.length === 0) return [{ type: 'bad-reply', reason: 'NAK without an error code' }]
    this.counters.replies++
    this.outstanding = undefined
    this.sqn = o.sqn === 3 ? 1 : o.sqn + 1
    if (f.code === REPLY.NAK) return this.onNak(o, decodeNak(data), now, serving)
    const events = this.state === 'starting' && o.step !== 'queued' && o.step !== 'poll' ? this.onStepReply(o, f, data, now) : []
    if (o.step === 'queued') this.queue.shift()?.done({ status: 'ok' })
    if (serving) events.push(...this.served(now))
    return [...events, ...interpretReply(f.code, data, f.raw)]
  }

  /**
   * The reader answered while being served: it is online (reported on the first such answer after
   * the start-up sequence), and whatever run of refusals it had is over.
   */
  private served(now: number): LinkEvent[] {
    this.lastHeardAt = now
    const events: LinkEvent[] = []
    const run = this.refusals.clear()
    if (run) events.push({ type: 'recovered', failures: run.failures, fault: run.fault })
    if (this.reported !== 'online') {
      events.push({ type: 'online', secure: this.session !== undefined, first: this.reported === 'unknown' })
      this.reported = 'online'
    }
    return events
  }

  private onNak(o: Outstanding, nak: Nak, now: number, serving: boolean): LinkEvent[] {
    this.counters.naks++
    const command = C.CMD_NAMES[o.code] ?? `0x${o.code.toString(16)}`
    const events: LinkEvent[] = [{ type: 'nak', command, nak }]
    const detail = `${command} refused with NAK 0x${nak.code.toString(16).padStart(2, '0')}: ${nak.reason}`
    if (o.step === 'queued') this.queue.shift()?.done({ status: 'refused', reason: nak.reason })
    if (isHandshakeStep(o.step)) {
      const cause = this.startUp.refused(o.step, nak)
      events.push({ type: 'secure-failure', reason: `reader refused ${C.CMD_NAMES[o.code]}: ${nak.reason}` })
      return [...events, ...this.resync(now, { cause, detail }, true)]
    }
    // Sequence lost, or the PD dropped or demands the secure channel: start over [§5.9, Annex D.6].
    // A refusal is not an answer: it neither keeps the reader online nor ends a run of failures.
    const cause = refusalCause(nak, this.opts.secure)
    if (cause) return [...events, ...this.resync(now, { cause, detail })]
    if (serving) this.lastHeardAt = now
    // Any other NAK during start-up: the reader lacks that function; carry on without it.
    if (this.state === 'starting') this.advanceStep(now)
    return events
  }

  private onStepReply(o: Outstanding, f: DecodedFrame, data: Buffer, now: number): LinkEvent[] {
    const r = this.startUp.onReply(o.step as Step, f, data)
    if (r.type === 'failed') return [{ type: 'secure-failure', reason: r.reason }, ...this.resync(now, { cause: r.cause, detail: r.reason }, true)]
    if (r.type === 'keyset') {
      this.session = undefined
      return [{ type: 'keyset' }]
    }
    if (r.session) this.session = r.session
    return this.advanceStep(now)
  }

  /** The next start-up step; after the last, POLL at once (its answer reports the reader online). */
  private advanceStep(now: number): LinkEvent[] {
    if (!this.startUp.advance()) return []
    this.state = 'online'
    this.lastPollAt = now - this.opts.pollIntervalMs
    return []
  }

  private sendStep(now: number): Buffer {
    const c = this.startUp.command()
    return 'frame' in c ? this.sendRaw(c.frame, c.step, now) : this.send(c.payload, c.step, now)
  }

  /** Frames and (inside a session) seals a command. */
  private send(p: CommandPayload, step: Outstanding['step'], now: number): Buffer {
    const plain = { addr: this.opts.address, reply: false, sqn: this.sqn, useCrc: this.opts.useCrc, code: p.code, data: p.data }
    return this.sendRaw(this.session ? this.session.seal(plain) : plain, step, now)
  }

  private sendRaw(f: Omit<Frame, 'sqn' | 'addr' | 'reply' | 'useCrc'> & Partial<Frame>, step: Outstanding['step'], now: number): Buffer {
    const frame: Frame = { addr: this.opts.address, reply: false, sqn: this.sqn, useCrc: this.opts.useCrc, ...f }
    const bytes = encodeFrame(frame, { mark: true })
    this.outstanding = { bytes, sqn: frame.sqn, code: frame.code, step, sentAt: now, tries: 1, resendAt: 0 }
    this.counters.commands++
    return bytes
  }

  /** Begins the start-up sequence with sequence number 0 (which also resets the PD's side). */
  private restart(): void {
    this.sqn = 0
    this.session = undefined
    this.outstanding = undefined
    this.state = 'starting'
    this.startUp.begin()
  }

  /**
   * Start over at sequence number 0, staying online meanwhile: at once after a single failure,
   * then backing off (see `Refusals`); the fault is reported on the second failure in a row. A
   * reader that only refuses goes offline when the offline window runs out. `backOff` waits a
   * reconnect interval even the first time (a refused handshake: a wrong key must not flood the bus).
   */
  private resync(now: number, why: { cause: FaultCause; detail: string }, backOff = false): LinkEvent[] {
    this.outstanding = undefined
    this.session = undefined
    const fault = this.refusals.note(why)
    const events: LinkEvent[] = fault ? [{ type: 'fault', ...fault }] : []
    if (now - this.lastHeardAt >= this.opts.offlineAfterMs)
      return [...events, ...this.goOffline(now, `no answer but refusals for ${now - this.lastHeardAt} ms: ${why.detail}`)]
    this.restart()
    // A reader still reported online is tried again by its offline deadline at the latest, so a
    // reader that only refuses goes offline on time (its next failure finds the window run out).
    const wait = Math.min(this.refusals.retryDelayMs(backOff), this.lastHeardAt + this.opts.offlineAfterMs - now)
    if (wait > 0) {
      this.state = 'offline'
      this.nextAttemptAt = now + wait
    }
    return events
  }

  private goOffline(now: number, reason: string): LinkEvent[] {
    this.state = 'offline'
    this.outstanding = undefined
    this.session = undefined
    this.sqn = 0
    // A reader that refuses keeps backing off while offline; a silent one is tried each interval.
    this.nextAttemptAt = now + Math.max(this.opts.reconnectIntervalMs, this.refusals.retryDelayMs())
    for (const q of this.queue.splice(0)) q.done({ status: 'offline', reason })
    if (this.reported === 'offline') return []
    this.reported = 'offline'
    this.counters.offline++
    return [{ type: 'offline', reason }]
  }
}
