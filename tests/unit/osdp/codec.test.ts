import { describe, expect, it } from 'vitest'
import { crc16, checksum8, decodeFrame, encodeFrame, frameHead } from '../../../adapters/osdp/codec.js'
import { CodecError } from '../../../base/errors.js'
import { PLAIN, SESSIONS, hex, plain } from './vectors.js'

const ALL = [...PLAIN, ...SESSIONS.flatMap((s) => s.frames)]

/** A copy of damage that changes the buffer in place and hands it back. */
const damaged = (damage: (b: Buffer) => unknown) => (b: Buffer) => {
  damage(b)
  return b
}

describe('osdp codec', () => {
  it('computes the CRC-16 of the POLL vector (0x99DA, sent LSB first)', () => {
    const poll = plain('POLL to addr 0')
    expect(crc16(poll, 0, poll.length - 2)).toBe(0x99da)
  })

  it('computes the 8-bit checksum of the checksum-mode POLL', () => {
    const poll = plain('POLL in checksum mode')
    expect(checksum8(poll, 0, poll.length - 1)).toBe(0x45)
  })

  it.each(ALL.map((v) => [v.name, v.hex] as const))('decodes and re-encodes %s byte for byte', (_name, h) => {
    const bytes = hex(h)
    const mark = bytes[0] === 0xff
    const packet = mark ? bytes.subarray(1) : bytes
    const f = decodeFrame(packet)
    expect(encodeFrame(f, { mark }).toString('hex')).toBe(h)
  })

  it('reads address, reply bit, sequence number and check mode', () => {
    const ack = decodeFrame(plain('ACK from addr 0'))
    expect(ack).toMatchObject({ addr: 0, reply: true, sqn: 1, useCrc: true, code: 0x40 })
    const nak = decodeFrame(plain('NAK 0x04'))
    expect(nak).toMatchObject({ addr: 3, reply: true, sqn: 2, code: 0x41, data: Buffer.from([4]) })
    const cs = decodeFrame(plain('POLL in checksum mode'))
    expect(cs).toMatchObject({ addr: 0, reply: false, sqn: 1, useCrc: false, code: 0x60 })
  })

  it('splits a secure packet into security block, payload and MAC', () => {
    const out = SESSIONS[0]!.frames.find((f) => f.name.startsWith('OUT encrypted'))!
    const f = decodeFrame(hex(out.hex).subarray(1))
    expect(f.scb).toEqual({ type: 0x17, data: Buffer.alloc(0) })
    expect(f.code).toBe(0x68)
    expect(f.data.length).toBe(16)
    expect(f.data.toString('hex')).toBe('e05b18f883a8ec2c2b6bc0fd7017ccc5')
    expect(f.mac?.toString('hex')).toBe('6d37708f')
    const chlng = decodeFrame(hex(SESSIONS[0]!.frames[0]!.hex).subarray(1))
    expect(chlng.scb).toEqual({ type: 0x11, data: Buffer.from([1]) })
    expect(chlng.mac).toBeUndefined()
  })

  it('builds the POLL vector from its fields', () => {
    const f = { addr: 0, reply: false, sqn: 1, useCrc: true, code: 0x60, data: Buffer.alloc(0) }
    expect(encodeFrame(f).toString('hex')).toBe(plain('POLL to addr 0').toString('hex'))
    expect(encodeFrame({ ...f, useCrc: false }).toString('hex')).toBe(plain('POLL in checksum mode').toString('hex'))
    expect(frameHead(f).length).toBe(6)
  })

  it.each([
    ['a bad CRC', damaged((b) => (b[b.length - 1]! ^= 1))],
    ['a bad checksum', damaged((b) => (b[b.length - 1]! ^= 1))],
    ['a wrong LEN', damaged((b) => (b[2]! += 1))],
    ['no SOM', damaged((b) => (b[0] = 0x54))],
    ['too few bytes', (b: Buffer) => b.subarray(0, 5)],
  ])('rejects %s with a CodecError', (name, damage) => {
    const src = name === 'a bad checksum' ? plain('POLL in checksum mode') : plain('RAW card read')
    expect(() => decodeFrame(damage(Buffer.from(src)))).toThrow(CodecError)
  })

  it('refuses to encode a secure packet without its MAC', () => {
    expect(() =>
      encodeFrame({ addr: 1, reply: false, sqn: 1, useCrc: true, code: 0x60, data: Buffer.alloc(0), scb: { type: 0x15, data: Buffer.alloc(0) } }),
    ).toThrow(RangeError)
  })
})
