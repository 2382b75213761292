import type { Logger } from '../../../base/log.js'
import type { TimerHandle, Timers } from '../../../base/timers.js'
import type { Channel } from './channel.js'
import { decodeFrame, encodeFrame, type Dc09Message } from './frame.js'
import { nextSequence } from './sequence.js'

/** How one message to one receiver ended. */
export type Outcome = 'ack' | 'duh' | 'failed'

/** What a receiver link builds a message from: everything but the sequence and timestamp. */
export type Draft = Omit<Dc09Message, 'seq' | 'timestamp' | 'receiver' | 'line'>

type Reply = { kind: 'ack' } | { kind: 'duh' } | { kind: 'nak'; time: number | undefined } | { kind: 'timeout' | 'error'; reason: string }

export interface ReceiverLinkOptions {
  name: string
  channel: Channel
  receiverNumber?: string
  lineNumber?: string
  key?: Buffer
  ackTimeoutMs: number
  retries: number
  timers: Timers
  log: Logger
  /** First sequence number (random, so a restart does not reuse the numbers of the last run). */
  firstSeq: number
  randomByte: () => number
  /** A NAK moved our idea of the receiver's clock. */
  onOffset(offsetMs: number): void
}

/**
 * One receiver: stop-and-wait, one message in flight [SIA DC-09: the transmitter waits for the
 * ACK before the next message]. A retry keeps its sequence number; a NAK with the receiver's time
 * makes us adopt its clock and resend at once; DUH ends the message here (never retried).
 */
export class ReceiverLink {
  private seq: number
  /** The receiver's clock minus ours, learnt from its NAKs. */
  offsetMs = 0
  private lane: Promise<unknown> = Promise.resolve()
  private closed = false
  private waiting: { seq: number; account: string | undefined; done(r: Reply): void } | undefined
  /** Replies that matched nothing in flight (a wrong ACK sequence, a late ACK). */
  strayReplies = 0
  /** Replies that could not be read (bad CRC, wrong key): warned once, then counted. */
  unreadableReplies = 0
  lastError: string | undefined

  constructor(private readonly o: ReceiverLinkOptions) {
    this.seq = o.firstSeq
    o.channel.onFrame = (f) => this.reply(f)
    o.channel.onError = (err) => {
      this.lastError = err.message
      this.waiting?.done({ kind: 'error', reason: err.message })
    }
  }

  get name(): string {
    return this.o.name
  }

  /** A message is waiting for its answer. */
  get inFlight(): boolean {
    return this.waiting !== undefined
  }

  /** Sends one message and waits for its end; messages to this receiver queue behind each other. */
  transact(draft: Draft): Promise<Outcome> {
    const run = this.lane.then(() => this.run(draft))
    this.lane = run.catch(() => undefined)
    return run
  }

  private async run(draft: Draft): Promise<Outcome> {
    const seq = this.seq
    this.seq = nextSequence(this.seq)
    let attempts = 0
    let clockFixes = 0
    while (attempts <= this.o.retries && !this.closed) {
      const msg: Dc09Message = { ...draft, seq, timestamp: this.o.timers.now() + this.offsetMs }
      if (this.o.receiverNumber !== undefined) msg.receiver = this.o.receiverNumber
      if (this.o.lineNumber !== undefined) msg.line = this.o.lineNumber
      // Plain link tests and ACK-less tokens go without a timestamp only when nothing requires one.
      if (draft.token === 'NULL' && !this.o.key) delete msg.timestamp
      const frame = encodeFrame(msg, this.o.key ? { key: this.o.key, randomByte: this.o.randomByte } : {})
      const r = await this.roundTrip(frame, seq, draft.account)
      if (r.kind === 'ack') {
        this.o.channel.release()
        return 'ack'
      }
      if (r.kind === 'duh') {
        this.o.channel.release()
        return 'duh'
      }
      if (r.kind === 'nak' && r.time !== undefined && clockFixes === 0) {
        // The receiver's time, to the second: adopt it and resend the same message at once.
        const offset = r.time - Math.floor(this.o.timers.now() / 1000) * 1000
        clockFixes++
        if (Math.abs(offset - this.offsetMs) >= 1000) {
          this.offsetMs = offset
          this.o.onOffset(offset)
          continue
        }
      }
      attempts++
      if (r.kind !== 'nak') this.lastError = r.reason
      this.o.log.debug({ receiver: this.o.name, seq, attempt: attempts, reply: r.kind }, 'no ACK from the receiver')
    }
    this.o.channel.release()
    return 'failed'
  }

  private roundTrip(frame: Buffer, seq: number, account: string | undefined): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      let timer: TimerHandle | undefined
      const done = (r: Reply) => {
        if (this.waiting?.done !== done) return
        this.waiting = undefined
        if (timer !== undefined) this.o.timers.clearTimeout(timer)
        resolve(r)
      }
      this.waiting = { seq, account, done }
      timer = this.o.timers.setTimeout(() => done({ kind: 'timeout', reason: `no answer within ${this.o.ackTimeoutMs} ms` }), this.o.ackTimeoutMs)
      try {
        this.o.channel.send(frame)
      } catch (err) {
        done({ kind: 'error', reason: (err as Error).message })
      }
    })
  }

  /** A reply counts only if it echoes what is in flight: sequence, receiver, line, account. [SIA DC-09, ACK] */
  private reply(frame: Buffer): void {
    const d = decodeFrame(frame, () => this.o.key)
    const w = this.waiting
    if (!d.ok) {
      const level = ++this.unreadableReplies === 1 ? 'warn' : 'debug'
      this.o.log[level](
        { receiver: this.o.name, reason: d.reason, count: this.unreadableReplies },
        'unreadable reply from the receiver (check its key and keyHex/keyAscii)',
      )
      return
    }
    const m = d.message
    if (!w) {
      this.strayReplies++
      return
    }
    if (m.token === 'NAK') return w.done({ kind: 'nak', time: m.timestamp })
    const echoes = m.seq === w.seq && m.account === w.account && m.receiver === this.o.receiverNumber && m.line === this.o.lineNumber
    if (m.token === 'DUH' && (echoes || m.seq === 0)) return w.done({ kind: 'duh' })
    if (m.token === 'ACK' && echoes) return w.done({ kind: 'ack' })
    this.strayReplies++
    this.o.log.debug({ receiver: this.o.name, token: m.token, seq: m.seq, expected: w.seq }, 'reply does not match the message in flight: ignored')
  }

  /** Ends the message in flight (as failed) and sends nothing more. */
  close(): void {
    this.closed = true
    this.waiting?.done({ kind: 'error', reason: 'stopped' })
    this.o.channel.close()
  }
}
