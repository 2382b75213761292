import { describe, expect, it } from 'vitest'
import { PacketMeter, describeViolation } from '../../../gateway/broker/packet-meter.js'

// CONNECT (3.1.1, client id "c"), PUBLISH QoS 0 "t" "hi", PINGREQ, DISCONNECT [MQTT-3.1, 3.3, 3.12, 3.14].
const CONNECT = [0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 1, 0x63]
const PUBLISH = [0x30, 5, 0, 1, 0x74, 0x68, 0x69]
const SESSION = Buffer.from([...CONNECT, ...PUBLISH, 0xc0, 0, 0xe0, 0])

describe('PacketMeter', () => {
  it('follows a session fed whole, byte by byte, and split at every point', () => {
    expect(new PacketMeter(16).feed(SESSION)).toBeUndefined()
    const bytewise = new PacketMeter(16)
    for (const b of SESSION) expect(bytewise.feed(Buffer.from([b]))).toBeUndefined()
    for (let cut = 0; cut <= SESSION.length; cut++) {
      const m = new PacketMeter(16)
      expect(m.feed(SESSION.subarray(0, cut))).toBeUndefined()
      expect(m.feed(SESSION.subarray(cut))).toBeUndefined()
    }
  })

  it('refuses a packet announcing more than the limit as soon as its length is read, whatever follows', () => {
    const m = new PacketMeter(6)
    expect(m.feed(Buffer.from(CONNECT.slice(0, 2)))).toEqual({ reason: 'too-large', packetType: 1, announcedBytes: 13, limitBytes: 6 })
    expect(m.feed(Buffer.from(CONNECT.slice(2)))?.reason).toBe('too-large')
  })

  it('reads a four-byte remaining length split across chunks: 200 MiB', () => {
    const m = new PacketMeter(1 << 20)
    expect(m.feed(Buffer.from(CONNECT))).toBeUndefined()
    expect(m.feed(Buffer.from([0x30, 0x80, 0x80]))).toBeUndefined()
    const v = m.feed(Buffer.from([0x80, 0x64]))
    expect(v).toEqual({ reason: 'too-large', packetType: 3, announcedBytes: 200 * 1024 * 1024, limitBytes: 1 << 20 })
    expect(describeViolation(v!)).toBe('packet of type 3 announces 209715200 bytes; the limit is 1048576')
  })

  it('accepts a packet of exactly the limit, and the largest length [MQTT-2.2.3]', () => {
    expect(new PacketMeter(13).feed(Buffer.from(CONNECT))).toBeUndefined()
    const m = new PacketMeter(268_435_455)
    m.feed(Buffer.from(CONNECT))
    expect(m.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBeUndefined()
  })

  it('refuses a first packet that is not CONNECT [MQTT-3.1.0-1] at its first byte', () => {
    expect(new PacketMeter(1 << 20).feed(Buffer.from([0x30]))).toEqual({ reason: 'not-connect-first', packetType: 3 })
    expect(describeViolation({ reason: 'not-connect-first', packetType: 3 })).toMatch(/not CONNECT/)
  })

  it('refuses a remaining length that runs past four bytes', () => {
    const m = new PacketMeter(1 << 20)
    m.feed(Buffer.from(CONNECT))
    expect(m.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toEqual({ reason: 'malformed-length', packetType: 3 })
  })

  it('checks its limit', () => {
    expect(() => new PacketMeter(0)).toThrow(/positive/)
  })
})
