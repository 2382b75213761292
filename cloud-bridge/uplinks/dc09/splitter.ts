import { CR, LF, MAX_BODY_BYTES } from './frame.js'

/** LF + 8 header bytes + body + CR. */
const MAX_FRAME_BYTES = MAX_BODY_BYTES + 10

/**
 * Cuts a TCP byte stream into frames: from an LF to the CR the length field places. Bytes before an
 * LF are noise and counted; a frame that does not end where its length says is dropped from its LF.
 * Pure: the caller decodes and logs.
 */
export class FrameSplitter {
  private buf = Buffer.alloc(0)
  /** Bytes skipped as noise or as broken frames. */
  dropped = 0

  push(chunk: Uint8Array): Buffer[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk])
    const out: Buffer[] = []
    for (;;) {
      const start = this.buf.indexOf(LF)
      if (start < 0) {
        this.dropped += this.buf.length
        this.buf = Buffer.alloc(0)
        break
      }
      if (start > 0) {
        this.dropped += start
        this.buf = this.buf.subarray(start)
      }
      if (this.buf.length < 9) break
      const len = parseInt(this.buf.toString('latin1', 5, 9), 16)
      if (!Number.isInteger(len) || len > MAX_BODY_BYTES) {
        this.skip(1)
        continue
      }
      const total = 9 + len + 1
      if (this.buf.length < total) {
        if (this.buf.length > MAX_FRAME_BYTES) this.skip(1)
        break
      }
      if (this.buf[total - 1] !== CR) {
        this.skip(1)
        continue
      }
      out.push(Buffer.from(this.buf.subarray(0, total)))
      this.buf = this.buf.subarray(total)
    }
    return out
  }

  private skip(n: number): void {
    this.dropped += n
    this.buf = this.buf.subarray(n)
  }
}
