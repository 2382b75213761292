import { randomFillSync } from 'node:crypto'

/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit Unix time in ms, version 7, 74 random bits.
 * Within one millisecond the 12-bit rand_a field counts up (RFC 9562 §6.2, method 1)
 * so ids made by one process sort in creation order.
 */
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export class UuidV7Generator {
  private lastMs = -1
  private counter = 0
  private readonly bytes = new Uint8Array(16)
  /** Random bytes drawn 4 KiB at a time: one call to the CSPRNG per 512 ids, not one per id. */
  private readonly pool = new Uint8Array(4096)
  private poolAt = 4096

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = this.now()
    if (ms <= this.lastMs) {
      // Same (or an earlier, if the clock stepped back) millisecond: keep the time, bump the counter.
      ms = this.lastMs
      this.counter++
      if (this.counter > 0xfff) {
        ms = ++this.lastMs
        this.counter = 0
      }
    } else {
      this.lastMs = ms
      this.counter = 0
    }
    const b = this.bytes
    if (this.poolAt + 8 > this.pool.length) {
      randomFillSync(this.pool)
      this.poolAt = 0
    }
    b.set(this.pool.subarray(this.poolAt, this.poolAt + 8), 8)
    this.poolAt += 8
    b[0] = (ms / 2 ** 40) & 0xff
    b[1] = (ms / 2 ** 32) & 0xff
    b[2] = (ms >>> 24) & 0xff
    b[3] = (ms >>> 16) & 0xff
    b[4] = (ms >>> 8) & 0xff
    b[5] = ms & 0xff
    b[6] = 0x70 | ((this.counter >>> 8) & 0x0f)
    b[7] = this.counter & 0xff
    b[8] = 0x80 | ((b[8] ?? 0) & 0x3f) // variant 10
    let s = ''
    for (let i = 0; i < 16; i++) {
      s += HEX[b[i] ?? 0]
      if (i === 3 || i === 5 || i === 7 || i === 9) s += '-'
    }
    return s
  }
}

export const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The creation time carried in a UUIDv7, in ms since the epoch. */
export function uuidV7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
}
