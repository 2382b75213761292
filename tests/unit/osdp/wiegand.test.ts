import { describe, expect, it } from 'vitest'
import { decodeWiegand } from '../../../adapters/osdp/wiegand.js'
import { CARDS, hex } from './vectors.js'

describe('wiegand card formats', () => {
  it.each(CARDS.map((c) => [`${c.format} ${c.facility}/${c.card}`, c] as const))('decodes %s', (_n, c) => {
    const card = decodeWiegand(hex(c.raw_hex), c.bits)
    expect(card).toMatchObject({ format: c.format, bits: c.bits, facility: c.facility, card: String(c.card) })
  })

  it.each(CARDS.map((c) => [`${c.format} ${c.facility}/${c.card}`, c] as const))('reports %s as raw when any one bit flips', (_n, c) => {
    for (let bit = 0; bit < c.bits; bit++) {
      const data = hex(c.raw_hex)
      data[bit >> 3]! ^= 0x80 >> (bit & 7)
      const card = decodeWiegand(data, c.bits)
      expect(card.format).toBe('raw')
      expect(card.note).toMatch(/parity/)
    }
  })

  it('reports other lengths as raw with the whole value as card number', () => {
    expect(decodeWiegand(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 32)).toMatchObject({ format: 'raw', bits: 32, card: String(0xdeadbeef), hex: 'deadbeef' })
    const long = decodeWiegand(Buffer.alloc(10, 0xff), 80)
    expect(long.card).toBe((2n ** 80n - 1n).toString())
  })

  it('does not read past the data it was given', () => {
    expect(decodeWiegand(Buffer.from([0xbd]), 26)).toMatchObject({ format: 'raw', note: 'fewer data bytes than the bit count' })
  })
})
