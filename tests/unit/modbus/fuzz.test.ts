import { describe, expect, it } from 'vitest'
import { decodeResponse, encodeRequest, ModbusException, type ModbusRequest } from '../../../adapters/modbus/codec.js'
import { withCrc } from '../../../adapters/modbus/crc.js'
import { UnitDecoder } from '../../../adapters/modbus/decode.js'
import { RtuFramer } from '../../../adapters/modbus/framer.js'
import { planReads, width } from '../../../adapters/modbus/plan.js'
import { ProfileSchema } from '../../../adapters/modbus/profile.js'
import { BUILTIN_PROFILES } from '../../../adapters/modbus/profiles.js'
import { CodecError } from '../../../base/errors.js'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'

/** Property tests with seeded randomness: the same seed replays the same cases. */
const rnd = seededRandom(20_261_122)
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)))

function randomRequest(): ModbusRequest {
  const unit = int(0, 250)
  const address = int(0, 65_535)
  switch (int(0, 6)) {
    case 0:
      return { unit, fc: ([1, 2, 3, 4] as const)[int(0, 3)]!, address, quantity: int(0, 2100) }
    case 1:
      return { unit, fc: 5, address, value: rnd() < 0.5 }
    case 2:
      return { unit, fc: 6, address, value: int(-1, 70_000) }
    case 3:
      return { unit, fc: 15, address, values: Array.from({ length: int(0, 40) }, () => rnd() < 0.5) }
    case 4:
      return { unit, fc: 16, address, values: Array.from({ length: int(0, 130) }, () => int(0, 65_535)) }
    default:
      return { unit, fc: 17 }
  }
}

describe('codec properties', () => {
  it('encodeRequest gives one frame the slave framer finds whole, or a CodecError', async () => {
    let encoded = 0
    for (let i = 0; i < 2000; i++) {
      const req = randomRequest()
      let frame: Buffer
      try {
        frame = encodeRequest(req)
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError)
        continue
      }
      encoded++
      const framer = new RtuFramer({ role: 'slave' })
      const got: Buffer[] = []
      framer.on('data', (f: Buffer) => got.push(f))
      framer.write(frame)
      await new Promise<void>((r) => setImmediate(r))
      expect(got).toEqual([frame])
    }
    expect(encoded).toBeGreaterThan(300)
  })

  it('decodeResponse of any bytes returns or throws CodecError / ModbusException only', () => {
    const reqs: ModbusRequest[] = [
      { unit: 7, fc: 3, address: 0, quantity: 7 },
      { unit: 7, fc: 1, address: 0, quantity: 9 },
      { unit: 7, fc: 5, address: 3, value: true },
      { unit: 7, fc: 16, address: 5, values: [1, 2] },
      { unit: 7, fc: 17 },
    ]
    for (let i = 0; i < 5000; i++) {
      const req = reqs[i % reqs.length]!
      // Half of the cases get a valid CRC and the right unit, so the decoder's own checks are reached.
      const body = bytes(int(0, 40))
      if (i % 2 === 0 && body.length > 1) {
        body[0] = 7
        body[1] = rnd() < 0.5 ? req.fc : req.fc | 0x80
      }
      const frame = i % 2 === 0 ? withCrc(body) : body
      try {
        decodeResponse(frame, req)
      } catch (err) {
        if (!(err instanceof CodecError) && !(err instanceof ModbusException)) throw err
      }
    }
  })
})

describe('profile properties', () => {
  it('planReads covers every point within the request limits', () => {
    for (let i = 0; i < 200; i++) {
      const points: Record<string, unknown> = {}
      for (let p = 0; p < int(1, 30); p++) {
        const table = (['coil', 'discrete', 'holding', 'input'] as const)[int(0, 3)]!
        const bit = table === 'coil' || table === 'discrete'
        points[`p${p}`] = { table, address: int(0, 3000), type: bit ? 'bool' : (['u16', 'i16', 'u32', 'f32'] as const)[int(0, 3)] }
      }
      const profile = ProfileSchema.parse({ points, maxReadGap: int(0, 64) })
      const blocks = planReads(profile)
      for (const [name, p] of Object.entries(profile.points)) {
        const b = blocks.filter((x) => x.points.includes(name))
        expect(b.length).toBe(1)
        expect(b[0]!.table).toBe(p.table)
        expect(p.address).toBeGreaterThanOrEqual(b[0]!.address)
        expect(p.address + width(p)).toBeLessThanOrEqual(b[0]!.address + b[0]!.quantity)
      }
      for (const b of blocks) expect(b.quantity).toBeLessThanOrEqual(b.table === 'coil' || b.table === 'discrete' ? 2000 : 125)
    }
  })

  it('UnitDecoder takes any raw values without throwing, and its events are in the parking list', () => {
    const lock = new UnitDecoder(BUILTIN_PROFILES['parking-lock'], 'parking', 1)
    const sensor = new UnitDecoder(BUILTIN_PROFILES['occupancy-sensor'], 'parking', 2)
    let t = 0
    for (let i = 0; i < 3000; i++) {
      t += int(0, 1500)
      const raw = (names: string[]) => Object.fromEntries(names.map((n) => [n, rnd() < 0.1 ? int(-5, 70_000) : int(0, 3)]))
      for (const [d, profile] of [
        [lock, BUILTIN_PROFILES['parking-lock']],
        [sensor, BUILTIN_PROFILES['occupancy-sensor']],
      ] as const) {
        const r = d.update(raw(Object.keys(profile.points)), t)
        for (const e of r.events)
          expect([
            'parking.occupied',
            'parking.vacant',
            'lock.raised',
            'lock.lowered',
            'lock.fault',
            'lock.fault.restore',
            'battery.low',
            'battery.restored',
            'tamper',
            'tamper.restore',
            'other',
            'profile.mismatch',
          ]).toContain(e.type)
      }
    }
  })
})
