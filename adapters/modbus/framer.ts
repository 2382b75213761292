import type { FramerDrop } from '../transport/framer.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../../base/timers.js'
import { Transform, type TransformCallback } from 'node:stream'
import { EXCEPTION_FLAG, FC, MAX_ADU_BYTES, MAX_UNIT } from './codec.js'
import { crcOk } from './crc.js'

/**
 * Finds RTU frame boundaries from the function code and byte count. Over a PTY or a TCP link to
 * a serial device server there is no line timing, so the 3.5-character silence of
 * [SL §2.5.1.1] cannot delimit frames; it is used only as a hint (`silenceMs`) to give up on a
 * partial frame that stopped growing.
 *
 * - master: reads responses (what the gateway hears).
 * - slave: reads requests (what the simulator hears).
 */
export type FramerRole = 'master' | 'slave'

const NOISE = 0
const NEED_MORE = -1

/** Length of the response starting at buf[0], NOISE when it cannot start one, NEED_MORE to wait. */
export function responseLength(buf: Uint8Array): number {
  if (buf.length < 1) return NEED_MORE
  const unit = buf[0] as number
  // No unit answers a broadcast, and 248-255 are reserved. [SL §2.2]
  if (unit === 0 || unit > MAX_UNIT) return NOISE
  if (buf.length < 2) return NEED_MORE
  const fc = buf[1] as number
  // A unit may answer any function code with an exception (01 for one it lacks). [MB-AP §7]
  if ((fc & EXCEPTION_FLAG) !== 0) return fc !== EXCEPTION_FLAG ? 5 : NOISE
  switch (fc) {
    case FC.READ_COILS:
    case FC.READ_DISCRETE_INPUTS:
    case FC.READ_HOLDING_REGISTERS:
    case FC.READ_INPUT_REGISTERS:
    case FC.REPORT_SERVER_ID: {
      if (buf.length < 3) return NEED_MORE
      const n = buf[2] as number
      // Registers come in pairs of bytes; an ADU never passes 256 bytes. [MB-AP §6.3, SL §2.5.1.1]
      const registers = fc === FC.READ_HOLDING_REGISTERS || fc === FC.READ_INPUT_REGISTERS
      if (n === 0 || (registers && n % 2 !== 0) || 5 + n > MAX_ADU_BYTES) return NOISE
      return 5 + n
    }
    case FC.WRITE_SINGLE_COIL:
    case FC.WRITE_SINGLE_REGISTER:
    case FC.WRITE_MULTIPLE_COILS:
    case FC.WRITE_MULTIPLE_REGISTERS:
      return 8
    default:
      return NOISE
  }
}

/** Length of the request starting at buf[0]. Unit 0 is a broadcast and allowed here. */
export function requestLength(buf: Uint8Array): number {
  if (buf.length < 1) return NEED_MORE
  if ((buf[0] as number) > MAX_UNIT) return NOISE
  if (buf.length < 2) return NEED_MORE
  const fc = buf[1] as number
  switch (fc) {
    case FC.READ_COILS:
    case FC.READ_DISCRETE_INPUTS:
    case FC.READ_HOLDING_REGISTERS:
    case FC.READ_INPUT_REGISTERS:
    case FC.WRITE_SINGLE_COIL:
    case FC.WRITE_SINGLE_REGISTER:
      return 8
    case FC.WRITE_MULTIPLE_COILS:
    case FC.WRITE_MULTIPLE_REGISTERS: {
      if (buf.length < 7) return NEED_MORE
      const n = buf[6] as number
      if (n === 0 || 9 + n > MAX_ADU_BYTES) return NOISE
      return 9 + n
    }
    case FC.REPORT_SERVER_ID:
      return 4
    default:
      return NOISE
  }
}

/**
 * The reply the master is waiting for. With one request on the wire at a time [SL §2.1], a
 * candidate from another unit or function is noise, which stops a noise byte that mimics a long
 * frame's header from holding back the real reply behind it.
 */
export interface ExpectedReply {
  unit: number
  fc: number
  /** Length of the normal (non-exception) reply when the request fixes it. */
  length?: number
}

export type DropReason = 'noise' | 'crc' | 'silence' | 'resync' | 'overflow' | 'end'

/**
 * A run of bytes the framer threw away, reported once per run (not once per byte): the drop every
 * framer reports (`FramerDrop`), with the bytes themselves for the log.
 */
export interface RtuDrop extends FramerDrop {
  reason: DropReason
  /** The bytes themselves (hex in the log: a technician recognises a unit's address or a function code). */
  raw: Buffer
}

export interface FramerStats {
  frames: number
  /** Candidate frames whose CRC did not match. */
  badCrc: number
  dropRuns: number
  droppedBytes: number
}

export interface RtuFramerOptions {
  role: FramerRole
  /** Give up on a partial frame after this much quiet; unset on links with no timing (PTY, TCP). */
  silenceMs?: number
  /** The timers the silence is measured with; the system's by default. */
  timers?: Timers
  /** Bytes kept while waiting for a frame to complete; at least one full ADU. */
  maxBufferBytes?: number
  /** Longest drop run before it is reported, so a noise flood is reported in pieces. */
  maxRunBytes?: number
}

/**
 * Object-mode Transform: bytes in, complete CRC-checked frames (Buffer) out. Emits 'drop' with a
 * RtuDrop for every run of bytes it discards. Never throws on input.
 */
export class RtuFramer extends Transform {
  readonly stats: FramerStats = { frames: 0, badCrc: 0, dropRuns: 0, droppedBytes: 0 }
  private readonly lengthOf: (buf: Uint8Array) => number
  private readonly silenceMs: number | undefined
  private readonly maxBufferBytes: number
  private readonly maxRunBytes: number
  private buf: Buffer = Buffer.alloc(0)
  private run: number[] = []
  private runReason: DropReason = 'noise'
  private timer: TimerHandle | undefined
  private readonly timers: Timers
  private expected: ExpectedReply | undefined

  constructor(opts: RtuFramerOptions) {
    super({ readableObjectMode: true })
    if (opts.role !== 'master' && opts.role !== 'slave') throw new TypeError('role must be "master" or "slave"')
    const max = opts.maxBufferBytes ?? 4 * MAX_ADU_BYTES
    if (!Number.isInteger(max) || max < MAX_ADU_BYTES + 4) throw new TypeError(`maxBufferBytes must be an integer >= ${MAX_ADU_BYTES + 4}`)
    if (opts.silenceMs !== undefined && !(opts.silenceMs > 0)) throw new TypeError('silenceMs must be > 0')
    this.lengthOf = opts.role === 'master' ? responseLength : requestLength
    this.silenceMs = opts.silenceMs
    this.timers = opts.timers ?? SYSTEM_TIMERS
    this.maxBufferBytes = max
    this.maxRunBytes = opts.maxRunBytes ?? MAX_ADU_BYTES
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.clearTimer()
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk])
    this.scan(false, 'noise')
    if (this.buf.length > this.maxBufferBytes) {
      // Unreachable with a sane length rule (a waiting candidate is < 261 bytes); kept as the cap.
      this.dropBytes(this.buf.length - this.maxBufferBytes, 'overflow')
    }
    this.flushRun()
    if (this.buf.length > 0 && this.silenceMs !== undefined) {
      this.timer = this.timers.setTimeout(() => this.resync('silence'), this.silenceMs)
    }
    done()
  }

  override _flush(done: TransformCallback): void {
    this.resync('end')
    done()
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    this.clearTimer()
    done(err)
  }

  /**
   * Gives up on whatever partial frame is waiting: emits any complete frame hidden behind it and
   * drops the rest. The bus calls it when a reply timed out, so a noise byte that looked like a
   * long frame's header cannot hold back the next reply.
   */
  resync(reason: DropReason = 'resync'): void {
    this.clearTimer()
    this.scan(true, reason)
    this.flushRun()
  }

  /** Master role: the reply to wait for, or undefined to accept any well-formed frame. */
  expect(reply: ExpectedReply | undefined): void {
    this.expected = reply
  }

  /** Bytes waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buf.length
  }

  private scan(final: boolean, waitReason: DropReason): void {
    while (this.buf.length > 0) {
      const len = this.candidateLength()
      if (len === NOISE) {
        this.dropBytes(1, 'noise')
        continue
      }
      if (len === NEED_MORE || len > this.buf.length) {
        if (!final) return
        this.dropBytes(1, waitReason)
        continue
      }
      if (crcOk(this.buf, 0, len)) {
        this.flushRun()
        const frame = Buffer.from(this.buf.subarray(0, len))
        this.buf = this.buf.subarray(len)
        this.stats.frames++
        this.push(frame)
        continue
      }
      // A bad CRC: the frame may be corrupt, or a noise byte mimicked a header and the real frame
      // starts further on. Drop one byte and look again; count one bad frame per drop run.
      if (this.run.length === 0) this.stats.badCrc++
      this.dropBytes(1, 'crc')
    }
  }

  private candidateLength(): number {
    const len = this.lengthOf(this.buf)
    const e = this.expected
    if (e === undefined || len === NOISE) return len
    if (this.buf[0] !== e.unit) return NOISE
    if (this.buf.length < 2) return len
    const fc = this.buf[1] as number
    if (fc === (e.fc | EXCEPTION_FLAG)) return len
    if (fc !== e.fc) return NOISE
    if (e.length !== undefined && len !== NEED_MORE && len !== e.length) return NOISE
    return len
  }

  private dropBytes(n: number, reason: DropReason): void {
    if (this.run.length === 0) this.runReason = reason
    for (let i = 0; i < n; i++) {
      this.run.push(this.buf[i] as number)
      if (this.run.length >= this.maxRunBytes) this.flushRun()
    }
    this.buf = this.buf.subarray(n)
  }

  private flushRun(): void {
    if (this.run.length === 0) return
    const drop: RtuDrop = { reason: this.runReason, bytes: this.run.length, raw: Buffer.from(this.run) }
    this.run = []
    this.stats.dropRuns++
    this.stats.droppedBytes += drop.bytes
    this.emit('drop', drop)
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
  }
}
