import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../../../adapters/osdp/codec.js'
import * as C from '../../../adapters/osdp/commands.js'
import * as R from '../../../adapters/osdp/replies.js'
import { CodecError } from '../../../base/errors.js'
import { plain } from './vectors.js'

const payload = (name: string): Buffer => decodeFrame(plain(name)).data
/** Frames a command the way the vectors were captured (CRC mode, address 0). */
const frame = (p: C.CommandPayload, sqn: number): string =>
  encodeFrame({ addr: 0, reply: false, sqn, useCrc: true, code: p.code, data: p.data }).toString('hex')

describe('osdp command encoders', () => {
  it('encodes ID, POLL, OUT, LED and BUZ as in the vectors', () => {
    expect(frame(C.id(), 0)).toBe(plain('ID to addr 0').toString('hex'))
    expect(frame(C.poll(), 1)).toBe(plain('POLL to addr 0').toString('hex'))
    expect(frame(C.out([{ output: 0, code: C.OUT_CODE.TEMPORARY_ON_RESUME, timer100ms: 30 }]), 3)).toBe(plain('OUT').toString('hex'))
    expect(frame(C.pulse(0, 3000), 3)).toBe(plain('OUT').toString('hex'))
    const led = C.led([{ reader: 0, led: 0, temporary: { onColor: C.COLOR.RED, offColor: C.COLOR.BLACK, on100ms: 5, off100ms: 5, timer100ms: 30 } }])
    expect(frame(led, 1)).toBe(plain('LED').toString('hex'))
    expect(frame(C.buz({ reader: 0, tone: 2, on100ms: 5, off100ms: 5, count: 1 }), 2)).toBe(plain('BUZ').toString('hex'))
  })

  it('encodes KEYSET as type 1, length 16, key', () => {
    const key = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
    expect(C.keyset(key).data.toString('hex')).toBe(`0110${key.toString('hex')}`)
    expect(() => C.keyset(Buffer.alloc(8))).toThrow(RangeError)
  })
})

describe('osdp reply decoders', () => {
  it('decodes PDID', () => {
    expect(R.decodePdId(payload('PDID'))).toEqual({ vendor: 'A1-B2-C3', model: 2, version: 1, serial: 0x12345678, firmware: '1.2.3' })
  })

  it('decodes PDCAP into named capabilities with buffer sizes as numbers', () => {
    const caps = R.decodePdCap(payload('PDCAP'))
    expect(caps).toHaveLength(11)
    expect(caps[0]).toEqual({ code: 1, name: 'contactStatus', compliance: 1, count: 2 })
    const s = R.summarizeCaps(caps)
    expect(s['receiveBufferSize']).toBe(256)
    expect(s['communicationSecurity']).toEqual({ compliance: 1, count: 0 })
    expect(s['osdpVersion']).toEqual({ compliance: 2, count: 0 })
  })

  it('decodes RAW, ISTATR, LSTATR, KEYPAD (with * and #) and NAK', () => {
    expect(R.decodeRaw(payload('RAW card read'))).toEqual({ reader: 0, format: 1, bits: 26, data: Buffer.from('bd88eb80', 'hex') })
    expect(R.decodeStates(payload('ISTATR'))).toEqual([true, false])
    expect(R.decodeLstatr(payload('LSTATR'))).toEqual({ tamper: true, powerLost: false })
    expect(R.decodeKeypad(payload('KEYPAD'))).toEqual({ reader: 0, keys: '12*#' })
    expect(R.decodeNak(payload('NAK 0x04'))).toEqual({ code: 4, reason: 'unexpected sequence number' })
    expect(R.decodeNak(Buffer.from([0x42])).reason).toMatch(/unknown NAK code 0x42/)
    // [§7.3] two different security faults, each named for what it is.
    expect(R.decodeNak(Buffer.from([0x05])).reason).toMatch(/^unsupported security block/)
    expect(R.decodeNak(Buffer.from([0x06])).reason).toMatch(/^encrypted communication required/)
  })

  it('decodes FMT', () => {
    const data = Buffer.concat([Buffer.from([1, 0, 4]), Buffer.from('1234')])
    expect(R.decodeFmt(data)).toEqual({ reader: 1, reverse: false, text: '1234' })
  })

  it.each([
    ['PDID', () => R.decodePdId(Buffer.alloc(5))],
    ['PDCAP', () => R.decodePdCap(Buffer.alloc(4))],
    ['RAW', () => R.decodeRaw(Buffer.from([0, 1, 26, 0, 0xbd]))],
    ['KEYPAD', () => R.decodeKeypad(Buffer.from([0, 5, 0x31]))],
    ['LSTATR', () => R.decodeLstatr(Buffer.alloc(1))],
    ['FMT', () => R.decodeFmt(Buffer.from([0, 0, 9, 0x31]))],
    ['CCRYPT', () => R.decodeCcrypt(Buffer.alloc(31))],
  ])('throws a CodecError on a short %s', (_n, fn) => {
    expect(fn).toThrow(CodecError)
  })
})
