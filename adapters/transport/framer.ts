import { Transform, type TransformCallback } from 'node:stream'
import { errorMessage } from '../../base/errors.js'

/** What a protocol's `scan()` found at the start of the buffer. */
export type ScanResult<F> =
  /** A whole, valid frame of `length` bytes. */
  | { kind: 'frame'; length: number; frame: F }
  /** A whole frame that failed its check (checksum, syntax): the device should be told (NAK). */
  | { kind: 'bad'; length: number; reason: string }
  /** `length` bytes that cannot start a frame: line noise, dropped to resync. */
  | { kind: 'skip'; length: number; reason: string }
  /** The buffer holds the beginning of a frame; wait for more bytes. */
  | { kind: 'need' }

/** What the framer pushes downstream (object mode). */
export type FramerItem<F> = { ok: true; frame: F; raw: Buffer } | { ok: false; reason: string; raw: Buffer }

/** A run of bytes dropped without a frame: emitted as `drop` so the adapter can warn with its device id. */
export interface FramerDrop {
  bytes: number
  reason: string
}

/** Everything a framer saw, for the health API. Every dropped byte lands in one of these. */
export interface FramerStats {
  frames: number
  badFrames: number
  /** Runs of noise (consecutive dropped bytes count as one run). */
  droppedRuns: number
  droppedBytes: number
  /** Times the buffer hit its cap and was discarded. */
  overflows: number
}

export interface CountingFramerOptions {
  /** The most bytes held while waiting for a frame's end; more is discarded as an overflow. */
  maxBufferBytes: number
}

/**
 * Base of every byte framer: a `Transform` that reassembles frames from arbitrary chunks,
 * resyncs after noise, caps its buffer and counts every dropped byte. It never throws on input:
 * a protocol supplies only `scan()`, which looks at the head of the buffer.
 */
export abstract class CountingFramer<F> extends Transform {
  readonly stats: FramerStats = { frames: 0, badFrames: 0, droppedRuns: 0, droppedBytes: 0, overflows: 0 }
  private buf: Buffer = Buffer.alloc(0)
  private noise = 0
  private noiseReason = ''
  private readonly maxBufferBytes: number

  constructor(opts: CountingFramerOptions) {
    super({ readableObjectMode: true })
    if (!Number.isInteger(opts.maxBufferBytes) || opts.maxBufferBytes < 1) throw new RangeError('maxBufferBytes must be a positive integer')
    this.maxBufferBytes = opts.maxBufferBytes
  }

  /** Looks at the head of `buf` (never empty). Must not throw; if it does, the buffer counts as bad. */
  protected abstract scan(buf: Buffer): ScanResult<F>

  /** Discards a partial frame (the link was reopened: its rest will never come). */
  reset(): void {
    this.dropRun(this.buf.length, 'partial frame discarded on reset')
    this.buf = Buffer.alloc(0)
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    this.drain()
    if (this.buf.length > this.maxBufferBytes) {
      this.stats.overflows++
      this.dropRun(this.buf.length, `no frame end within ${this.maxBufferBytes} bytes`)
      this.buf = Buffer.alloc(0)
    }
    done()
  }

  override _flush(done: TransformCallback): void {
    this.flushNoise()
    this.dropRun(this.buf.length, 'stream ended inside a frame')
    this.buf = Buffer.alloc(0)
    done()
  }

  private drain(): void {
    while (this.buf.length > 0) {
      const r = this.safeScan(this.buf)
      if (r.kind === 'need') break
      // A scan that consumes nothing would loop forever: treat it as one byte of noise.
      const length = Math.min(Math.max(1, r.length), this.buf.length)
      const raw = this.buf.subarray(0, length)
      this.buf = this.buf.subarray(length)
      if (r.kind === 'skip') {
        this.noise += length
        this.noiseReason ||= r.reason
        continue
      }
      this.flushNoise()
      if (r.kind === 'frame') {
        this.stats.frames++
        this.push({ ok: true, frame: r.frame, raw: Buffer.from(raw) } satisfies FramerItem<F>)
      } else {
        this.stats.badFrames++
        this.push({ ok: false, reason: r.reason, raw: Buffer.from(raw) } satisfies FramerItem<F>)
      }
    }
    // Noise at the end of a chunk is flushed now: the next chunk may start a frame.
    this.flushNoise()
  }

  private safeScan(buf: Buffer): ScanResult<F> {
    try {
      return this.scan(buf)
    } catch (err) {
      return { kind: 'bad', length: buf.length, reason: `scanner failed: ${errorMessage(err)}` }
    }
  }

  private flushNoise(): void {
    if (this.noise === 0) return
    this.dropRun(this.noise, this.noiseReason)
    this.noise = 0
    this.noiseReason = ''
  }

  private dropRun(bytes: number, reason: string): void {
    if (bytes === 0) return
    this.stats.droppedRuns++
    this.stats.droppedBytes += bytes
    this.emit('drop', { bytes, reason } satisfies FramerDrop)
  }
}
