import { describe, expect, it } from 'vitest'
import { decodeResponse, encodeRequest, expectsReply, ModbusException, packBits, unpackBits, type ModbusRequest } from '../../../adapters/modbus/codec.js'
import { crc16, crcOk, withCrc } from '../../../adapters/modbus/crc.js'
import { CodecError } from '../../../base/errors.js'
import { ALL_FRAMES, REQUESTS, vector } from './vectors.js'

describe('CRC-16/MODBUS', () => {
  it.each(ALL_FRAMES)('$name: CRC of the vector checks', ({ bytes }) => {
    expect(crcOk(bytes)).toBe(true)
    expect(withCrc(bytes.subarray(0, -2))).toEqual(bytes)
  })

  it('the catalogue check value: "123456789" -> 0x4B37', () => {
    expect(crc16(Buffer.from('123456789', 'ascii'))).toBe(0x4b37)
  })

  it('a single flipped bit fails the check', () => {
    const f = Buffer.from(vector('read holding registers 0..6, unit 7'))
    f[3] = (f[3] as number) ^ 0x01
    expect(crcOk(f)).toBe(false)
  })
})

describe('encodeRequest', () => {
  it.each(REQUESTS)('$name', ({ name, req }) => {
    expect(encodeRequest(req).toString('hex')).toBe(vector(name).toString('hex'))
  })

  it('reads coils, discrete inputs and input registers, and writes multiple coils', () => {
    expect(encodeRequest({ unit: 7, fc: 1, address: 0, quantity: 2 }).subarray(0, 6).toString('hex')).toBe('070100000002')
    expect(encodeRequest({ unit: 7, fc: 2, address: 0, quantity: 5 }).subarray(0, 6).toString('hex')).toBe('070200000005')
    expect(encodeRequest({ unit: 7, fc: 4, address: 0x10, quantity: 3 }).subarray(0, 6).toString('hex')).toBe('070400100003')
    // [MB-AP §6.11] example: 10 coils from 20 (0x13), values CD 01.
    const bits = [true, false, true, true, false, false, true, true, true, false]
    expect(encodeRequest({ unit: 17, fc: 15, address: 19, values: bits }).subarray(0, -2).toString('hex')).toBe('110f0013000a02cd01')
    expect(encodeRequest({ unit: 17, fc: 17 }).subarray(0, 2).toString('hex')).toBe('1111')
  })

  it.each<[string, ModbusRequest]>([
    ['a read broadcast', { unit: 0, fc: 3, address: 0, quantity: 1 }],
    ['unit 248', { unit: 248, fc: 3, address: 0, quantity: 1 }],
    ['126 registers', { unit: 1, fc: 3, address: 0, quantity: 126 }],
    ['zero registers', { unit: 1, fc: 4, address: 0, quantity: 0 }],
    ['a read past 65535', { unit: 1, fc: 3, address: 65_535, quantity: 2 }],
    ['a register value of 65536', { unit: 1, fc: 6, address: 0, value: 65_536 }],
    ['124 registers written', { unit: 1, fc: 16, address: 0, values: new Array<number>(124).fill(0) }],
  ])('refuses %s with a CodecError', (_n, req) => {
    expect(() => encodeRequest(req)).toThrow(CodecError)
  })

  it('a broadcast expects no reply; a unicast does', () => {
    expect(expectsReply({ unit: 0, fc: 5, address: 0, value: true })).toBe(false)
    expect(expectsReply({ unit: 1, fc: 5, address: 0, value: true })).toBe(true)
  })
})

describe('decodeResponse', () => {
  it('7 holding registers', () => {
    const r = decodeResponse(vector('7 registers: 0,0,3600,0,0,0xFFFF,0xFFFF'), { unit: 7, fc: 3, address: 0, quantity: 7 })
    expect(r).toEqual({ unit: 7, fc: 3, registers: [0, 0, 3600, 0, 0, 0xffff, 0xffff] })
  })

  it('write single coil and register echoes', () => {
    expect(decodeResponse(vector('write single coil 0 = ON, unit 1 (the response echoes it)'), { unit: 1, fc: 5, address: 0, value: true })).toEqual({
      unit: 1,
      fc: 5,
      address: 0,
      value: true,
    })
    expect(decodeResponse(vector('write single register 5 = 1, unit 1 (echoed)'), { unit: 1, fc: 6, address: 5, value: 1 })).toEqual({
      unit: 1,
      fc: 6,
      address: 5,
      value: 1,
    })
  })

  it('write multiple registers reply', () => {
    expect(decodeResponse(vector('write multiple registers response'), { unit: 7, fc: 16, address: 5, values: [0] })).toEqual({
      unit: 7,
      fc: 16,
      address: 5,
      quantity: 1,
    })
  })

  it('read coils and discrete inputs', () => {
    expect(decodeResponse(vector('read coils 0..1 response, none set'), { unit: 7, fc: 1, address: 0, quantity: 2 })).toEqual({
      unit: 7,
      fc: 1,
      bits: [false, false],
    })
    expect(decodeResponse(vector('read discrete inputs 0..4 response, bit 2 set'), { unit: 7, fc: 2, address: 0, quantity: 5 })).toEqual({
      unit: 7,
      fc: 2,
      bits: [false, false, true, false, false],
    })
  })

  it.each([
    ['exception 02 (illegal data address) to function 03', { unit: 7, fc: 3, address: 0, quantity: 1 }, 2, /illegal data address/],
    ['exception 02 to function 06', { unit: 7, fc: 6, address: 0, value: 1 }, 2, /illegal data address/],
    ['exception 03 (illegal data value) to function 03', { unit: 1, fc: 3, address: 0, quantity: 1 }, 3, /illegal data value/],
    ['exception 01 (illegal function) to function 07', { unit: 1, fc: 3, address: 0, quantity: 1 }, 1, /illegal function/],
  ] as const)('%s -> ModbusException', (name, req, code, text) => {
    const frame = vector(name)
    if ((frame[1] as number) !== ((req.fc as number) | 0x80)) {
      // Function 07 is not one we send; the exception is still decoded for a request with fc 07.
      expect(() => decodeResponse(frame, { ...req })).toThrow(CodecError)
      return
    }
    const err = (() => {
      try {
        decodeResponse(frame, req as ModbusRequest)
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(err).toBeInstanceOf(ModbusException)
    expect((err as ModbusException).exceptionCode).toBe(code)
    expect((err as ModbusException).message).toMatch(text)
  })

  it.each<[string, string, ModbusRequest]>([
    ['a bad CRC', '07030e000000000e1000000000ffffffffa116', { unit: 7, fc: 3, address: 0, quantity: 7 }],
    ['another unit', '07030e000000000e1000000000ffffffffa115', { unit: 8, fc: 3, address: 0, quantity: 7 }],
    ['too few registers', '07030e000000000e1000000000ffffffffa115', { unit: 7, fc: 3, address: 0, quantity: 8 }],
    ['another function', '07030e000000000e1000000000ffffffffa115', { unit: 7, fc: 4, address: 0, quantity: 7 }],
    ['a coil echo with the other value', '01050000ff008c3a', { unit: 1, fc: 5, address: 0, value: false }],
    ['a register echo at another address', '010600050001580b', { unit: 1, fc: 6, address: 4, value: 1 }],
    ['a truncated frame', '0703', { unit: 7, fc: 3, address: 0, quantity: 7 }],
  ])('rejects %s with a CodecError', (_n, hex, req) => {
    expect(() => decodeResponse(Buffer.from(hex, 'hex'), req)).toThrow(CodecError)
  })

  it('report server id', () => {
    const frame = withCrc(Buffer.from([0x11, 0x11, 0x03, 0x2a, 0x07, 0xff]))
    expect(decodeResponse(frame, { unit: 0x11, fc: 17 })).toEqual({ unit: 0x11, fc: 17, serverId: Buffer.from([0x2a, 0x07]), running: true })
  })

  it('exception to function 07 decodes against a request of that function', () => {
    const frame = vector('exception 01 (illegal function) to function 07')
    expect(() => decodeResponse(frame, { unit: 1, fc: 7 } as unknown as ModbusRequest)).toThrow(/illegal function/)
  })
})

describe('bit packing', () => {
  it('round-trips any length', () => {
    for (let n = 1; n <= 17; n++) {
      const bits = Array.from({ length: n }, (_v, i) => (i * 7) % 3 === 0)
      expect(unpackBits(packBits(bits), n)).toEqual(bits)
    }
  })
})
