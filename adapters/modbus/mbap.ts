import { Transform, type TransformCallback } from 'node:stream'
import { withCrc } from './crc.js'
import type { DropReason, FramerStats, RtuDrop } from './framer.js'

/**
 * Modbus TCP: the same PDU in an MBAP header instead of RTU's unit byte and CRC.
 * Source: Modbus Messaging on TCP/IP Implementation Guide V1.0b (MB-TCP) §3.1.3:
 * transaction id (2), protocol id 0 (2), length of what follows (2), unit id (1), PDU.
 * TCP carries the bytes intact, so there is no CRC; the transaction id pairs replies with
 * requests, so a late reply can never answer the wrong request.
 */
/** A PDU is at most 253 bytes, so unit + PDU is at most 254. [MB-TCP §4.1] */
const MAX_LENGTH = 254

/** Wraps an RTU ADU (unit, PDU, CRC) as an MBAP frame with this transaction id. */
export function toMbap(rtu: Buffer, transactionId: number): Buffer {
  const body = rtu.subarray(0, rtu.length - 2)
  const out = Buffer.alloc(6 + body.length)
  out.writeUInt16BE(transactionId & 0xffff, 0)
  out.writeUInt16BE(0, 2)
  out.writeUInt16BE(body.length, 4)
  body.copy(out, 6)
  return out
}

/**
 * The transaction id of an MBAP frame and the same message as an RTU ADU (CRC added), so one
 * decoder serves both framings.
 */
export function fromMbap(frame: Buffer): { transactionId: number; rtu: Buffer } {
  return { transactionId: frame.readUInt16BE(0), rtu: withCrc(frame.subarray(6)) }
}

/** Length of the MBAP frame at the head of `buf`: 0 for noise, -1 to wait for more. */
export function mbapLength(buf: Uint8Array): number {
  if (buf.length < 6) return -1
  const protocol = ((buf[2] as number) << 8) | (buf[3] as number)
  const length = ((buf[4] as number) << 8) | (buf[5] as number)
  if (protocol !== 0 || length < 2 || length > MAX_LENGTH) return 0
  return 6 + length
}

/**
 * Object-mode Transform: bytes in, whole MBAP frames out. A header that cannot be one (protocol
 * id not 0, impossible length) is dropped a byte at a time and counted, as the RTU framer does.
 */
export class MbapFramer extends Transform {
  readonly stats: FramerStats = { frames: 0, badCrc: 0, dropRuns: 0, droppedBytes: 0 }
  private buf: Buffer = Buffer.alloc(0)
  private run: number[] = []

  constructor(private readonly maxBufferBytes = 1024) {
    super({ readableObjectMode: true })
    if (!Number.isInteger(maxBufferBytes) || maxBufferBytes < 6 + MAX_LENGTH) throw new TypeError(`maxBufferBytes must be an integer >= ${6 + MAX_LENGTH}`)
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk])
    this.scan(false)
    done()
  }

  override _flush(done: TransformCallback): void {
    this.scan(true, 'end')
    done()
  }

  /** Matches RtuFramer: the bus calls it after a timeout; MBAP needs no expectation. */
  expect(): void {}

  resync(reason: DropReason = 'resync'): void {
    this.scan(true, reason)
  }

  private scan(final: boolean, reason: DropReason = 'noise'): void {
    while (this.buf.length > 0) {
      const len = mbapLength(this.buf)
      if (len === 0 || (final && (len === -1 || len > this.buf.length))) {
        this.run.push(this.buf[0] as number)
        this.buf = this.buf.subarray(1)
        if (len !== 0) this.flush(reason)
        continue
      }
      if (len === -1 || len > this.buf.length) break
      this.flush('noise')
      this.stats.frames++
      this.push(Buffer.from(this.buf.subarray(0, len)))
      this.buf = this.buf.subarray(len)
    }
    this.flush('noise')
    if (this.buf.length > this.maxBufferBytes) {
      this.run.push(...this.buf)
      this.buf = Buffer.alloc(0)
      this.flush('overflow')
    }
  }

  private flush(reason: DropReason): void {
    if (this.run.length === 0) return
    const drop: RtuDrop = { reason, bytes: this.run.length, raw: Buffer.from(this.run) }
    this.run = []
    this.stats.dropRuns++
    this.stats.droppedBytes += drop.bytes
    this.emit('drop', drop)
  }
}
