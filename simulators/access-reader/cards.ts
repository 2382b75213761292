/**
 * Packs card numbers into Wiegand bit strings as a reader would send them in osdp_RAW (first bit
 * = MSB of the first byte). Written separately from the gateway's decoder so the two check each
 * other against the vectors.
 */

export type SimCardFormat = 'H10301' | 'H10306' | 'C1000-35' | 'H10304' | 'raw'

export interface PackedCard {
  bits: number
  data: Buffer
}

const parity = (bits: number[], idx: number[]): number => idx.reduce((n, i) => n + bits[i]!, 0) % 2

function put(bits: number[], value: number, from: number, len: number): void {
  for (let i = 0; i < len; i++) bits[from + i] = Math.floor(value / 2 ** (len - 1 - i)) % 2
}

const span = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i)

function toBytes(bits: number[]): Buffer {
  const out = Buffer.alloc(Math.ceil(bits.length / 8))
  bits.forEach((b, i) => {
    if (b) out[i >> 3]! |= 0x80 >> (i & 7)
  })
  return out
}

/**
 * The three formats with two contiguous parity windows: [length, facility at, facility bits, card
 * bits, even window, odd window] (the card follows the facility).
 */
const LINEAR: Record<'H10301' | 'H10306' | 'H10304', [number, number, number, number, [number, number], [number, number]]> = {
  H10301: [26, 1, 8, 16, [1, 12], [13, 24]],
  H10306: [34, 1, 16, 16, [1, 16], [17, 32]],
  H10304: [37, 1, 16, 19, [1, 18], [18, 35]],
}

/** Builds the bits for a card; `raw` takes `card` as the whole value over `rawBits` bits. */
export function packCard(format: SimCardFormat, facility: number, card: number, rawBits = 32): PackedCard {
  let bits: number[]
  if (format === 'C1000-35') {
    bits = new Array<number>(35).fill(0)
    put(bits, facility, 2, 12)
    put(bits, card, 14, 20)
    // HID Corporate 1000: P2 even over 2 of every 3 bits from bit 2, P35 odd over 2 of every 3
    // from bit 1 (P2 included), then P1 odd over everything.
    bits[1] = parity(
      bits,
      span(2, 33).filter((p) => (p - 2) % 3 !== 2),
    )
    bits[34] =
      1 -
      parity(
        bits,
        span(1, 33).filter((p) => (p - 1) % 3 !== 2),
      )
    bits[0] = 1 - parity(bits, span(1, 34))
  } else if (format === 'raw') {
    bits = new Array<number>(rawBits).fill(0)
    put(bits, card, 0, rawBits)
  } else {
    const [len, fAt, fBits, cBits, even, odd] = LINEAR[format]
    bits = new Array<number>(len).fill(0)
    put(bits, facility, fAt, fBits)
    put(bits, card, fAt + fBits, cBits)
    bits[0] = parity(bits, span(...even))
    bits[len - 1] = 1 - parity(bits, span(...odd))
  }
  return { bits: bits.length, data: toBytes(bits) }
}
