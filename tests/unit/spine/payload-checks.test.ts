import { describe, expect, it } from 'vitest'
import { invalidUtf8At, nestsDeeperThan } from '../../../gateway/broker/payload-checks.js'

const bytes = (...b: number[]) => Buffer.from(b)

describe('invalidUtf8At [Unicode §3.9 Table 3-7]', () => {
  it.each([
    ['ASCII', Buffer.from('{"a":1}')],
    ['2, 3 and 4 byte forms', Buffer.from('é 张 😀')],
    [
      'the edges of each row',
      bytes(0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xed, 0x9f, 0xbf, 0xee, 0x80, 0x80, 0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf),
    ],
    ['empty', bytes()],
  ])('accepts %s', (_name, buf) => {
    expect(invalidUtf8At(buf)).toBe(-1)
    expect(Buffer.from(buf.toString('utf8'), 'utf8').equals(buf)).toBe(true)
  })

  it('agrees with a strict decoder on 20,000 seeded random byte strings', () => {
    let seed = 0x2545f491
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xff
    const strict = new TextDecoder('utf-8', { fatal: true })
    for (let n = 0; n < 20_000; n++) {
      // Mostly valid text with a few bytes flipped, so both outcomes occur often.
      const buf = Buffer.from('a é 张 😀 z'.repeat(1 + (n % 3)))
      for (let k = rand() % 3; k > 0; k--) buf[rand() % buf.length] = rand()
      let valid = true
      try {
        strict.decode(buf)
      } catch {
        valid = false
      }
      const at = invalidUtf8At(buf)
      expect(at === -1).toBe(valid)
      if (!valid) expect(() => strict.decode(buf.subarray(0, at))).not.toThrow()
    }
  })

  it.each([
    ['a lone continuation byte', bytes(0x41, 0x80), 1],
    ['an overlong 2-byte form', bytes(0xc0, 0xaf), 0],
    ['an overlong 3-byte form', bytes(0x41, 0xe0, 0x80, 0xaf), 1],
    ['an overlong 4-byte form', bytes(0xf0, 0x80, 0x80, 0xaf), 0],
    ['a UTF-16 surrogate', bytes(0xed, 0xa0, 0x80), 0],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['0xF5 and up', bytes(0x41, 0x42, 0xf5, 0x80, 0x80, 0x80), 2],
    ['a sequence cut short at the end', bytes(0x41, 0xe5, 0xbc), 1],
    ['a sequence cut short by ASCII', bytes(0xe5, 0x28, 0x41), 0],
    ['0xFF', bytes(0x7b, 0xff, 0x7d), 1],
  ])('finds %s', (_name, buf, at) => {
    expect(invalidUtf8At(buf)).toBe(at)
  })
})

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, the top level as 1', () => {
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 4)).toBe(false)
    expect(nestsDeeperThan('{"a":[{"b":[[]]}]}', 4)).toBe(true)
    expect(nestsDeeperThan('1', 0)).toBe(false)
  })

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\"' }), 1)).toBe(false)
    expect(nestsDeeperThan(JSON.stringify({ a: 'x\\', b: [[]] }), 2)).toBe(true)
  })

  it('sibling containers do not add up', () => {
    expect(nestsDeeperThan(JSON.stringify({ a: [[1]], b: [[2]], c: [[3]] }), 3)).toBe(false)
  })

  it('needs no stack for 1,000,000 levels', () => {
    expect(nestsDeeperThan('['.repeat(1_000_000) + ']'.repeat(1_000_000), 32)).toBe(true)
  })
})
