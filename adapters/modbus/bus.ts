import { CodecError, TransportError, errorMessage } from '../../base/errors.js'
import type { Logger } from '../../base/log.js'
import { decodeResponse, encodeRequest, expectsReply, ModbusException, replyLength, type ModbusRequest } from './codec.js'
import type { RtuDrop } from './framer.js'
import { rtuFraming, type BusFramer, type Framing } from './framing.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../../base/timers.js'
import type { LinkStats } from '../types.js'
import { newLinkStats } from '../transport/link-stats.js'
import { LateReplyLog } from './late-replies.js'
import { ModbusTimeoutError, type BusLink, type Pending, type Reply, type TransactOptions } from './transaction.js'

export interface ModbusBusOptions {
  log: Logger
  link: BusLink
  /** Silence kept between the end of one transaction and the next request: t3.5 on a real line. [SL §2.5.1.1] */
  interFrameDelayMs?: number
  /** How long a broadcast is given to act before the next request. [SL §2.2 "turnaround delay"] */
  turnaroundMs?: number
  /** RTU (default) or Modbus TCP. */
  framing?: Framing
  timers?: Timers
}

/** Counters for the health API. */
export interface BusStats {
  requests: number
  replies: number
  timeouts: number
  exceptions: number
  /** Frames that were well formed but did not answer the request on the wire (late replies), discarded. */
  strayFrames: number
  retries: number
}

/**
 * After a timeout on a link with no transaction ids (RTU), the bus waits for the line to fall
 * quiet and discards whatever arrives before it sends again: without the silence, a slow unit's
 * late reply would be taken as the answer to the next request of the same shape. As libmodbus'
 * error recovery does (it sleeps the response timeout, then flushes), the quiet period is the
 * request's response timeout; every byte that arrives restarts it, up to this many timeouts.
 */
const DRAIN_MAX_TIMEOUTS = 3

/** What the bus is waiting for after a timeout: silence, before `p` is resent or failed. */
interface Drain {
  p: Pending
  quietMs: number
  /** The drain ends by then even if the line keeps babbling. */
  endBy: number
}

/**
 * One RS-485 bus: one request on the wire at a time [SL §2.1: a single master, one outstanding
 * transaction], commands ahead of polls, FIFO otherwise. A unit that does not answer costs its
 * timeout and retries, then the next request goes out: it delays the others, never blocks them.
 */
export class ModbusBus {
  readonly stats: BusStats = { requests: 0, replies: 0, timeouts: 0, exceptions: 0, strayFrames: 0, retries: 0 }
  private readonly framing: Framing
  private readonly timers: Timers
  private readonly queue: Pending[] = []
  private current: Pending | undefined
  private drain: Drain | undefined
  private timer: TimerHandle | undefined
  private gapUntil = 0
  private closed = false
  private readonly late: LateReplyLog
  /** Each unit's share of the line, for its adapter's `health()`. */
  private readonly units = new Map<number, LinkStats>()

  constructor(private readonly opts: ModbusBusOptions) {
    this.framing = opts.framing ?? rtuFraming()
    this.timers = opts.timers ?? SYSTEM_TIMERS
    this.late = new LateReplyLog(this.framing.name === 'mbap', this.timers, opts.log)
    this.framer.on('data', (f: Buffer) => this.onFrame(f))
    this.framer.on('drop', (d: RtuDrop) => this.onDrop(d))
  }

  get framer(): BusFramer {
    return this.framing.framer
  }

  /** Bytes from the link. */
  onData(chunk: Buffer): void {
    // The line is not quiet yet: wait on.
    if (this.drain !== undefined) this.armDrain()
    this.framer.write(chunk)
  }

  /** Queues a request; resolves with the reply (null for a broadcast), rejects with ModbusException, ModbusTimeoutError or TransportError. */
  transact(req: ModbusRequest, opts: TransactOptions): Promise<Reply | null> {
    if (this.closed) return Promise.reject(new TransportError('the bus is closed'))
    let frame: Buffer
    try {
      frame = encodeRequest(req)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new CodecError(String(err)))
    }
    return new Promise((resolve, reject) => {
      const p: Pending = { req, frame, opts, attempts: 0, badReplies: 0, late: { count: 0, maxMs: 0 }, sentAt: 0, resolve, reject }
      // Commands go behind other commands but ahead of every poll.
      const at = opts.priority === 'command' ? this.queue.findIndex((q) => q.opts.priority === 'poll') : -1
      if (at === -1) this.queue.push(p)
      else this.queue.splice(at, 0, p)
      this.pump()
    })
  }

  /** Fails everything queued; later calls reject at once. */
  close(): void {
    this.closed = true
    this.timers.clearTimeout(this.timer)
    this.drain = undefined
    const all = [...(this.current ? [this.current] : []), ...this.queue.splice(0)]
    this.current = undefined
    for (const p of all) p.reject(new TransportError('the bus is closed'))
    this.framer.destroy()
  }

  /**
   * What the bus exchanged with one unit: its replies (exception replies included), resends, bad
   * CRCs, timeouts, and bytes dropped while its reply was awaited. Live: the caller reads it.
   */
  linkOf(unit: number): LinkStats {
    let s = this.units.get(unit)
    if (s === undefined) this.units.set(unit, (s = newLinkStats()))
    return s
  }

  get queued(): number {
    return this.queue.length + (this.current ? 1 : 0)
  }

  private pump(): void {
    if (this.current !== undefined || this.closed) return
    const wait = this.gapUntil - this.timers.now()
    if (wait > 0) {
      this.setTimer(() => this.pump(), wait)
      return
    }
    const next = this.queue.shift()
    if (next === undefined) return
    this.current = next
    this.send(next)
  }

  private setTimer(fn: () => void, ms: number): void {
    this.timers.clearTimeout(this.timer)
    this.timer = this.timers.setTimeout(fn, ms)
  }

  private send(p: Pending): void {
    p.attempts++
    p.sentAt = this.timers.now()
    this.stats.requests++
    const reply = expectsReply(p.req)
    const length = replyLength(p.req)
    this.framer.expect(reply ? { unit: p.req.unit, fc: p.req.fc, ...(length !== undefined ? { length } : {}) } : undefined)
    const wait = reply ? p.opts.timeoutMs : (this.opts.turnaroundMs ?? 100)
    this.setTimer(() => (reply ? this.onTimeout(p) : this.finish(p, null)), wait)
    const wire = this.framing.wrap(p.frame)
    if (this.framing.name === 'mbap') this.late.sent(wire.readUInt16BE(0), p)
    this.opts.link.write(wire).catch((err: unknown) => {
      if (this.current !== p || this.drain !== undefined) return
      // No link (port unplugged, device server down): the poll fails now, not after a timeout.
      this.finish(p, err instanceof TransportError ? err : new TransportError(errorMessage(err), { cause: err }))
    })
  }

  private onFrame(frame: Buffer): void {
    const p = this.current
    if (p === undefined || this.drain !== undefined) {
      this.discardLate(frame, p)
      return
    }
    const rtu = this.framing.unwrap(frame)
    if (rtu === null) {
      // Modbus TCP: a reply carrying an earlier attempt's transaction id. [MB-TCP §3.1.3]
      this.discardLate(frame, p)
      return
    }
    try {
      const res = decodeResponse(rtu, p.req)
      this.stats.replies++
      this.linkOf(p.req.unit).frames++
      this.finish(p, { res, frame: rtu })
    } catch (err) {
      if (err instanceof ModbusException) {
        this.stats.exceptions++
        this.linkOf(p.req.unit).frames++
        this.finish(p, err)
        return
      }
      // Well formed but not our answer: keep waiting.
      this.stats.strayFrames++
      this.opts.log.debug({ unit: p.req.unit, err, frame: frame.toString('hex'), strayFrames: this.stats.strayFrames }, 'stray frame ignored')
    }
  }

  /** A reply with no request to answer (see `LateReplyLog`): counted, logged, charged to its request. */
  private discardLate(frame: Buffer, p: Pending | undefined): void {
    this.stats.strayFrames++
    this.late.discard(frame, p, this.current, this.stats.strayFrames)
  }

  private onDrop(d: RtuDrop): void {
    this.opts.log.warn({ unit: this.current?.req.unit, reason: d.reason, bytes: d.raw.toString('hex') }, 'bytes dropped on the bus')
    // A corrupted reply will not be followed by a good one: resend now rather than at the timeout.
    const p = this.current
    if (p !== undefined) {
      const link = this.linkOf(p.req.unit)
      link.droppedBytes += d.bytes
      if (d.reason === 'crc') link.crcErrors++
    }
    if (d.reason === 'crc' && p !== undefined && this.drain === undefined && expectsReply(p.req)) {
      p.badReplies++
      this.retryOrFail(p)
    }
  }

  private onTimeout(p: Pending): void {
    if (this.current !== p) return
    this.framer.resync()
    // Modbus TCP pairs replies by transaction id: a late one can never answer the next request.
    if (this.framing.name === 'mbap') {
      this.retryOrFail(p)
      return
    }
    this.framer.expect(undefined)
    this.drain = { p, quietMs: p.opts.timeoutMs, endBy: this.timers.now() + DRAIN_MAX_TIMEOUTS * p.opts.timeoutMs }
    this.armDrain()
  }

  private armDrain(): void {
    const d = this.drain!
    this.setTimer(() => this.endDrain(), Math.max(0, Math.min(d.quietMs, d.endBy - this.timers.now())))
  }

  private endDrain(): void {
    const d = this.drain
    if (d === undefined) return
    this.drain = undefined
    // Half a late reply still waiting in the framer would never complete.
    this.framer.resync()
    this.retryOrFail(d.p)
  }

  private retryOrFail(p: Pending): void {
    if (p.attempts <= p.opts.retries) {
      this.stats.retries++
      this.linkOf(p.req.unit).retries++
      const gap = this.opts.interFrameDelayMs ?? 0
      // No line timing to keep (TCP): resend now, not on the next timer tick.
      if (gap <= 0) {
        this.send(p)
        return
      }
      this.gapUntil = this.timers.now() + gap
      this.setTimer(() => {
        if (this.current === p) this.send(p)
      }, gap)
      return
    }
    this.stats.timeouts++
    this.linkOf(p.req.unit).timeouts++
    this.finish(p, new ModbusTimeoutError(p.req.unit, p.attempts, p.opts.timeoutMs, p.badReplies, p.late))
  }

  private finish(p: Pending, outcome: Reply | null | Error): void {
    if (this.current !== p) return
    this.timers.clearTimeout(this.timer)
    this.current = undefined
    this.drain = undefined
    this.framer.expect(undefined)
    this.gapUntil = this.timers.now() + (this.opts.interFrameDelayMs ?? 0)
    if (outcome instanceof Error) p.reject(outcome)
    else p.resolve(outcome)
    // Deferred so the caller's next request (the rest of its poll) is queued before the next pick;
    // the pick is still commands first, then first come, first served.
    queueMicrotask(() => this.pump())
  }
}
