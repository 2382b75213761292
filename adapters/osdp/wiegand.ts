/**
 * Wiegand card formats carried in osdp_RAW. Bit 0 is the first bit on the wire, the MSB of the
 * first data byte [OSDP 2.2 §7.10]. Pure.
 *
 * Formats (HID's public format definitions; bit positions 0-based from the first bit):
 * - H10301, 26 bits: P(even over 1-12) F8 C16 P(odd over 13-24).
 * - H10306, 34 bits: P(even over 1-16) F16 C16 P(odd over 17-32).
 * - Corporate 1000, 35 bits: P1 odd over all, P2 even over a 2-of-3 pattern, F12 C20, P35 odd over
 *   the other 2-of-3 pattern (see `c1000Ok`).
 * - H10304, 37 bits: P(even over 1-18) F16 C19 P(odd over 18-35): the two windows share bit 18.
 * Anything else, or a known length whose parity fails, is reported as raw bits with the whole
 * value as the card number, so a platform still sees a number it can match.
 */

export type CardFormat = 'H10301' | 'H10306' | 'C1000-35' | 'H10304' | 'raw'

export interface Card {
  format: CardFormat
  bits: number
  /** Decimal card number (a string: raw values may exceed 2^53). */
  card: string
  facility?: number
  /** For `raw`: why no known format applied. */
  note?: string
  /** The bits as hex, left-aligned as received, for audit. */
  hex: string
}

/** The bits as a 0/1 array, first bit first. */
export function toBits(data: Buffer, count: number): number[] {
  const bits: number[] = []
  for (let i = 0; i < count; i++) bits.push((data[i >> 3]! >> (7 - (i & 7))) & 1)
  return bits
}

function field(bits: number[], from: number, len: number): number {
  let v = 0
  for (let i = from; i < from + len; i++) v = v * 2 + bits[i]!
  return v
}

function ones(bits: number[], positions: Iterable<number>): number {
  let n = 0
  for (const p of positions) n += bits[p]!
  return n
}

function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i <= to; i++) out.push(i)
  return out
}

/** Even parity: the parity bit plus its window hold an even number of ones. */
function evenOk(bits: number[], parity: number, window: number[]): boolean {
  return (ones(bits, window) + bits[parity]!) % 2 === 0
}

function oddOk(bits: number[], parity: number, window: number[]): boolean {
  return (ones(bits, window) + bits[parity]!) % 2 === 1
}

/**
 * Corporate 1000 35-bit parity (as HID defines it and Proxmark3's Pack_C1k35s computes it):
 * bit 1 even over bits 2,3, 5,6, 8,9 ... 32,33; bit 34 odd over bits 1,2, 4,5 ... 31,32 and
 * bit 33 is not in it; bit 0 odd over bits 1-34.
 */
export const C1000_EVEN_WINDOW = range(2, 33).filter((p) => p % 3 !== 1)
export const C1000_ODD_WINDOW = range(1, 33).filter((p) => p % 3 !== 0)

function c1000Ok(bits: number[]): boolean {
  return evenOk(bits, 1, C1000_EVEN_WINDOW) && oddOk(bits, 34, C1000_ODD_WINDOW) && oddOk(bits, 0, range(1, 34))
}

export function decodeWiegand(data: Buffer, count: number): Card {
  const hex = data.subarray(0, Math.ceil(count / 8)).toString('hex')
  if (data.length * 8 < count) return raw([], count, hex, 'fewer data bytes than the bit count')
  const b = toBits(data, count)
  switch (count) {
    case 26:
      if (evenOk(b, 0, range(1, 12)) && oddOk(b, 25, range(13, 24)))
        return { format: 'H10301', bits: 26, facility: field(b, 1, 8), card: String(field(b, 9, 16)), hex }
      return raw(b, count, hex, 'H10301 parity error')
    case 34:
      if (evenOk(b, 0, range(1, 16)) && oddOk(b, 33, range(17, 32)))
        return { format: 'H10306', bits: 34, facility: field(b, 1, 16), card: String(field(b, 17, 16)), hex }
      return raw(b, count, hex, 'H10306 parity error')
    case 35:
      if (c1000Ok(b)) return { format: 'C1000-35', bits: 35, facility: field(b, 2, 12), card: String(field(b, 14, 20)), hex }
      return raw(b, count, hex, 'Corporate 1000 parity error')
    case 37:
      if (evenOk(b, 0, range(1, 18)) && oddOk(b, 36, range(18, 35)))
        return { format: 'H10304', bits: 37, facility: field(b, 1, 16), card: String(field(b, 17, 19)), hex }
      return raw(b, count, hex, 'H10304 parity error')
    default:
      return raw(b, count, hex)
  }
}

function raw(bits: number[], count: number, hex: string, note?: string): Card {
  let v = 0n
  for (const bit of bits) v = v * 2n + BigInt(bit)
  const card: Card = { format: 'raw', bits: count, card: v.toString(), hex }
  if (note !== undefined) card.note = note
  return card
}
