import { Transform, type TransformCallback } from 'node:stream'
import { CodecError } from '../../base/errors.js'
import { HEADER_BYTES, MARK, MIN_PACKET_BYTES, SOM, checkOk, decodeFrame, type DecodedFrame } from './codec.js'

export interface OsdpFramerOptions {
  /** Largest packet accepted; a LEN above it is noise [OSDP 2.2 §5.2 allows up to 65535]. */
  maxFrameBytes?: number
}

/** What the framer dropped, for the health API. */
export interface OsdpFramerCounters {
  frames: number
  /** Runs of bytes that were not part of any packet (noise between packets). */
  droppedRuns: number
  droppedBytes: number
  /** Packets with a bad CRC or checksum, a bad LEN or a malformed security block. */
  badFrames: number
  /** Partial packets discarded by `discardPartial()` (a reply window closed on them). */
  truncated: number
}

export const DEFAULT_MAX_FRAME_BYTES = 1024

/**
 * Bytes in, `DecodedFrame` objects out. Skips 0xFF mark bytes, resyncs on the next SOM after
 * noise or a bad check, caps what it buffers, counts every drop, never throws on bad input.
 */
export class OsdpFramer extends Transform {
  readonly counters: OsdpFramerCounters = { frames: 0, droppedRuns: 0, droppedBytes: 0, badFrames: 0, truncated: 0 }
  /** The last problem seen, for the adapter's warn line. */
  lastError: string | undefined
  private buf: Buffer = Buffer.alloc(0)
  private readonly maxFrameBytes: number

  constructor(opts: OsdpFramerOptions = {}) {
    super({ readableObjectMode: true })
    const max = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    if (!Number.isInteger(max) || max < MIN_PACKET_BYTES || max > 65_535) {
      throw new RangeError(`maxFrameBytes must be an integer in ${MIN_PACKET_BYTES}..65535, got ${max}`)
    }
    this.maxFrameBytes = max
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    this.scan()
    cb()
  }

  override _flush(cb: TransformCallback): void {
    this.discardPartial()
    cb()
  }

  /**
   * Drops a half-received packet. The adapter calls it when a reply window closes, so a stray
   * SOM with a large bogus LEN cannot hold the next real reply hostage.
   */
  discardPartial(): void {
    if (this.buf.length === 0) return
    this.counters.truncated++
    this.dropBytes(this.buf.length, 'partial packet discarded')
  }

  private scan(): void {
    for (;;) {
      const som = this.buf.indexOf(SOM)
      if (som < 0) {
        this.skipNoise(this.buf.length)
        return
      }
      if (som > 0) this.skipNoise(som)
      if (this.buf.length < HEADER_BYTES) return
      const len = this.buf.readUInt16LE(2)
      if (len < MIN_PACKET_BYTES || len > this.maxFrameBytes) {
        this.bad(`LEN ${len} out of range`)
        continue
      }
      if (this.buf.length < len) return
      const packet = this.buf.subarray(0, len)
      if (!checkOk(packet)) {
        // Resync: the SOM was noise or the packet is damaged; look for the next SOM inside it.
        this.bad('bad check bytes')
        continue
      }
      this.emitPacket(packet)
      this.buf = this.buf.subarray(len)
    }
  }

  private emitPacket(packet: Buffer): void {
    let frame: DecodedFrame
    try {
      frame = decodeFrame(packet)
    } catch (err) {
      if (!(err instanceof CodecError)) throw err
      this.counters.badFrames++
      this.lastError = err.message
      return
    }
    this.counters.frames++
    this.push(frame)
  }

  /** Drops the SOM at the head as a bad packet start. */
  private bad(reason: string): void {
    this.counters.badFrames++
    this.lastError = reason
    this.buf = this.buf.subarray(1)
  }

  /** Drops `n` leading bytes; mark bytes (0xFF) are line idle, not noise. */
  private skipNoise(n: number): void {
    let noise = 0
    for (let i = 0; i < n; i++) if (this.buf[i] !== MARK) noise++
    if (noise > 0) {
      this.counters.droppedRuns++
      this.counters.droppedBytes += noise
      this.lastError = `${noise} byte(s) of noise`
    }
    this.buf = this.buf.subarray(n)
  }

  private dropBytes(n: number, reason: string): void {
    this.counters.droppedRuns++
    this.counters.droppedBytes += n
    this.lastError = reason
    this.buf = this.buf.subarray(n)
  }
}
