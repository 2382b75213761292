import { describe, expect, it } from 'vitest'
import { crc16, decodeFrame, encodeFrame } from '../../../adapters/osdp/codec.js'
import { interpretReply } from '../../../adapters/osdp/pd-replies.js'
import { decodeWiegand } from '../../../adapters/osdp/wiegand.js'
import { CodecError } from '../../../base/errors.js'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { AccessBusModel } from '../../../simulators/access-reader/model.js'
import { VirtualBus, link, unmark } from './bus-driver.js'

const random = seededRandom(20261122)
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)))
const REPLY_CODES = [0x40, 0x41, 0x45, 0x46, 0x48, 0x49, 0x4a, 0x50, 0x51, 0x53, 0x76, 0x78, 0x79, 0x99]

describe('osdp decoders on random input', () => {
  it('decodeFrame throws nothing but CodecError', () => {
    for (let i = 0; i < 5000; i++) {
      const b = bytes(1 + Math.floor(random() * 40))
      if (random() < 0.5) b[0] = 0x53
      try {
        decodeFrame(b)
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError)
      }
    }
  })

  it('decodeFrame on random packets with a right LEN and CRC (random CTRL and security blocks) throws only CodecError', () => {
    let decoded = 0
    for (let i = 0; i < 5000; i++) {
      const b = bytes(7 + Math.floor(random() * 40))
      b[0] = 0x53
      b[4] = (b[4]! & 0x0b) | 0x04
      b.writeUInt16LE(b.length, 2)
      const crc = crc16(b, 0, b.length - 2)
      b.writeUInt16LE(crc, b.length - 2)
      try {
        decodeFrame(b)
        decoded++
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError)
      }
    }
    expect(decoded).toBeGreaterThan(1000)
  })

  it('interpretReply turns any payload into events, never an exception', () => {
    for (let i = 0; i < 5000; i++) {
      const code = REPLY_CODES[Math.floor(random() * REPLY_CODES.length)]!
      const evs = interpretReply(code, bytes(Math.floor(random() * 24)), Buffer.alloc(0))
      expect(Array.isArray(evs)).toBe(true)
    }
  })

  it('decodeWiegand reports any bit string as some card', () => {
    for (let i = 0; i < 2000; i++) {
      const bits = 1 + Math.floor(random() * 80)
      const card = decodeWiegand(bytes(Math.ceil(bits / 8)), bits)
      expect(card.card).toMatch(/^\d+$/)
    }
  })

  it.each(Array.from({ length: 12 }, (_v, i) => i + 1))(
    'a PD link fed random well-framed replies (seed %i) never throws and recovers, still never in the clear',
    (seed) => {
      const rnd = seededRandom(seed)
      const junk = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)))
      const model = new AccessBusModel({ seed, readers: [{ address: 0 }, { address: 1, requireSecure: true }] })
      const links = [link(0), link(1, { secure: true })]
      const bus = new VirtualBus(links, model)
      bus.tamper = (r) => {
        if (rnd() > 0.3) return r
        const f = unmark(r)
        const code = REPLY_CODES[Math.floor(rnd() * REPLY_CODES.length)]!
        return encodeFrame({ addr: f.addr, reply: true, sqn: rnd() < 0.8 ? f.sqn : 2, useCrc: true, code, data: junk(Math.floor(rnd() * 40)) })
      }
      bus.run(20_000)
      bus.tamper = undefined
      bus.run(20_000)
      for (const l of links) expect(l.state).toBe('online')
      expect(model.pd(1).counters.clearCommands).toBe(0)
    },
  )
})
