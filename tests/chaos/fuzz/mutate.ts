/**
 * Seeded mutations of real frames (the specifications' vectors), the way AFL and libFuzzer's
 * default mutators do it: flip bits, set bytes to boundary values or to the protocols' own
 * delimiters, insert, delete, duplicate and splice runs, truncate. Pure: the randomness comes in.
 */

/** Bytes every decoder here treats specially: STX/ETX/DC4/ACK/NAK, OSDP SOM, LF/CR, XML and JSON syntax. */
const INTERESTING = [
  0x00, 0x01, 0x02, 0x03, 0x06, 0x0a, 0x0d, 0x14, 0x15, 0x22, 0x26, 0x2f, 0x3a, 0x3c, 0x3e, 0x53, 0x5b, 0x5d, 0x7b, 0x7d, 0x7f, 0x80, 0xc0, 0xfe, 0xff,
]

const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n)

/** One to eight mutations of `input`, a corpus entry; `other` is spliced in by one of them. */
export function mutate(input: Buffer, other: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(input)
  const ops = 1 + int(rnd, 8)
  for (let k = 0; k < ops; k++) {
    const at = int(rnd, b.length + 1)
    switch (int(rnd, 10)) {
      case 0: // flip one bit
        if (b.length) b[at % b.length]! ^= 1 << int(rnd, 8)
        break
      case 1: // a random byte
        if (b.length) b[at % b.length] = int(rnd, 256)
        break
      case 2: // a byte the protocols care about
        if (b.length) b[at % b.length] = INTERESTING[int(rnd, INTERESTING.length)]!
        break
      case 3: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(rnd, 16) }, () => int(rnd, 256))), b.subarray(at)])
        break
      case 4: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(rnd, 16))])
        break
      case 5: {
        // duplicate a run in place
        const len = 1 + int(rnd, 32)
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)])
        break
      }
      case 6: // truncate
        b = b.subarray(0, at)
        break
      case 7: {
        // splice: the head of this frame, the tail of another
        const cut = int(rnd, other.length + 1)
        b = Buffer.concat([b.subarray(0, at), other.subarray(cut)])
        break
      }
      case 8: // a length or count field pushed to its extremes: one or two bytes of 0xff or 0x00
        if (b.length) b.fill(rnd() < 0.5 ? 0xff : 0x00, at % b.length, Math.min(b.length, (at % b.length) + 1 + int(rnd, 2)))
        break
      default: // the frame repeated, back to back
        b = Buffer.concat(Array.from({ length: 2 + int(rnd, 3) }, () => b))
    }
  }
  return b
}

/** Cuts `input` into 1 to 4 chunks at random points, as a serial line or TCP delivers it. */
export function chunks(input: Buffer, rnd: () => number): Buffer[] {
  const cuts = [...new Set(Array.from({ length: int(rnd, 4) }, () => int(rnd, input.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let from = 0
  for (const c of [...cuts, input.length]) {
    if (c > from) out.push(input.subarray(from, c))
    from = c
  }
  return out
}
