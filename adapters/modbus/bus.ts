import { CodecError, PinganError, TransportError, errorMessage } from '../../gateway/errors.js'
import type { Logger } from '../../gateway/log.js'
import { decodeResponse, encodeRequest, expectsReply, ModbusException, replyLength, type ModbusRequest, type ModbusResponse } from './codec.js'
import type { FramerDrop } from './framer.js'
import { rtuFraming, type BusFramer, type Framing } from './framing.js'

/** A request that got no valid reply in time, after every retry. The unit may be dead. */
export class ModbusTimeoutError extends PinganError {
  constructor(
    readonly unit: number,
    readonly attempts: number,
    timeoutMs: number,
    /** How many of the attempts got a reply with a bad CRC (a noisy line rather than a dead unit). */
    readonly badReplies = 0,
  ) {
    const noisy = badReplies > 0 ? `; ${badReplies} repl${badReplies === 1 ? 'y' : 'ies'} had a bad CRC` : ''
    super('PINGAN_ERR_TRANSPORT', `unit ${unit} did not answer within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}${noisy})`)
  }
}

/** Where the bus writes request bytes: the shared serial transport (a port or a device server socket). */
export interface BusLink {
  write(data: Buffer): Promise<void>
}

export interface TransactOptions {
  timeoutMs: number
  retries: number
  /** Commands go ahead of polls, never in the middle of another transaction. */
  priority: 'command' | 'poll'
}

export interface Reply {
  res: ModbusResponse
  /** The reply frame, for the event's `raw` (audit). */
  frame: Buffer
}

export interface ModbusBusOptions {
  log: Logger
  link: BusLink
  /** Silence kept between the end of one transaction and the next request: t3.5 on a real line. [SL §2.5.1.1] */
  interFrameDelayMs?: number
  /** How long a broadcast is given to act before the next request. [SL §2.2 "turnaround delay"] */
  turnaroundMs?: number
  /** RTU (default) or Modbus TCP. */
  framing?: Framing
}

interface Pending {
  req: ModbusRequest
  frame: Buffer
  opts: TransactOptions
  attempts: number
  badReplies: number
  resolve(r: Reply | null): void
  reject(err: Error): void
}

/** Counters for the health API. */
export interface BusStats {
  requests: number
  replies: number
  timeouts: number
  exceptions: number
  /** Frames that were well formed but did not answer the request on the wire (late replies). */
  strayFrames: number
  retries: number
}

/**
 * One RS-485 bus: one request on the wire at a time [SL §2.1: a single master, one outstanding
 * transaction], commands ahead of polls, FIFO otherwise. A unit that does not answer costs its
 * timeout and retries, then the next request goes out: it delays the others, never blocks them.
 */
export class ModbusBus {
  readonly stats: BusStats = { requests: 0, replies: 0, timeouts: 0, exceptions: 0, strayFrames: 0, retries: 0 }
  private readonly framing: Framing
  private readonly queue: Pending[] = []
  private current: Pending | undefined
  private timer: NodeJS.Timeout | undefined
  private gapUntil = 0
  private closed = false

  constructor(private readonly opts: ModbusBusOptions) {
    this.framing = opts.framing ?? rtuFraming()
    this.framer.on('data', (f: Buffer) => this.onFrame(f))
    this.framer.on('drop', (d: FramerDrop) => this.onDrop(d))
  }

  get framer(): BusFramer {
    return this.framing.framer
  }

  /** Bytes from the link. */
  onData(chunk: Buffer): void {
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
      const p: Pending = { req, frame, opts, attempts: 0, badReplies: 0, resolve, reject }
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
    clearTimeout(this.timer)
    const all = [...(this.current ? [this.current] : []), ...this.queue.splice(0)]
    this.current = undefined
    for (const p of all) p.reject(new TransportError('the bus is closed'))
    this.framer.destroy()
  }

  get queued(): number {
    return this.queue.length + (this.current ? 1 : 0)
  }

  private pump(): void {
    if (this.current !== undefined || this.closed) return
    const wait = this.gapUntil - Date.now()
    if (wait > 0) {
      clearTimeout(this.timer)
      this.timer = setTimeout(() => this.pump(), wait)
      return
    }
    const next = this.queue.shift()
    if (next === undefined) return
    this.current = next
    this.send(next)
  }

  private send(p: Pending): void {
    p.attempts++
    this.stats.requests++
    const reply = expectsReply(p.req)
    const length = replyLength(p.req)
    this.framer.expect(reply ? { unit: p.req.unit, fc: p.req.fc, ...(length !== undefined ? { length } : {}) } : undefined)
    const wait = reply ? p.opts.timeoutMs : (this.opts.turnaroundMs ?? 100)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => (reply ? this.onTimeout(p) : this.finish(p, null)), wait)
    this.opts.link.write(this.framing.wrap(p.frame)).catch((err: unknown) => {
      if (this.current !== p) return
      // No link (port unplugged, device server down): the poll fails now, not after a timeout.
      this.finish(p, err instanceof TransportError ? err : new TransportError(errorMessage(err), { cause: err }))
    })
  }

  private onFrame(frame: Buffer): void {
    const p = this.current
    if (p === undefined) {
      this.stats.strayFrames++
      this.opts.log.debug({ frame: frame.toString('hex') }, 'reply with no request outstanding')
      return
    }
    const rtu = this.framing.unwrap(frame)
    if (rtu === null) {
      this.stats.strayFrames++
      this.opts.log.debug({ unit: p.req.unit, frame: frame.toString('hex') }, 'reply to another transaction ignored')
      return
    }
    try {
      const res = decodeResponse(rtu, p.req)
      this.stats.replies++
      this.finish(p, { res, frame: rtu })
    } catch (err) {
      if (err instanceof ModbusException) {
        this.stats.exceptions++
        this.finish(p, err)
        return
      }
      // Well formed but not our answer (a late reply to a request that timed out): keep waiting.
      this.stats.strayFrames++
      this.opts.log.debug({ unit: p.req.unit, err, frame: frame.toString('hex') }, 'stray frame ignored')
    }
  }

  private onDrop(d: FramerDrop): void {
    this.opts.log.warn({ unit: this.current?.req.unit, reason: d.reason, bytes: d.bytes.toString('hex') }, 'bytes dropped on the bus')
    // A corrupted reply will not be followed by a good one: resend now rather than at the timeout.
    const p = this.current
    if (d.reason === 'crc' && p !== undefined && expectsReply(p.req)) {
      p.badReplies++
      this.retryOrFail(p)
    }
  }

  private onTimeout(p: Pending): void {
    if (this.current !== p) return
    this.framer.resync()
    this.retryOrFail(p)
  }

  private retryOrFail(p: Pending): void {
    if (p.attempts <= p.opts.retries) {
      this.stats.retries++
      clearTimeout(this.timer)
      this.gapUntil = Date.now() + (this.opts.interFrameDelayMs ?? 0)
      this.timer = setTimeout(() => {
        if (this.current === p) this.send(p)
      }, this.opts.interFrameDelayMs ?? 0)
      return
    }
    this.stats.timeouts++
    this.finish(p, new ModbusTimeoutError(p.req.unit, p.attempts, p.opts.timeoutMs, p.badReplies))
  }

  private finish(p: Pending, outcome: Reply | null | Error): void {
    if (this.current !== p) return
    clearTimeout(this.timer)
    this.current = undefined
    this.framer.expect(undefined)
    this.gapUntil = Date.now() + (this.opts.interFrameDelayMs ?? 0)
    if (outcome instanceof Error) p.reject(outcome)
    else p.resolve(outcome)
    // Deferred so the caller's next request (the rest of its poll) is queued before the next pick;
    // the pick is still commands first, then first come, first served.
    setImmediate(() => this.pump())
  }
}

/** t3.5: 3.5 character times (11 bits each) at the baud rate, fixed at 1.75 ms above 19200. [SL §2.5.1.1] */
export function interFrameDelayMs(baudRate: number): number {
  return baudRate > 19_200 ? 1.75 : (3.5 * 11 * 1000) / baudRate
}
