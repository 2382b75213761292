import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { ModbusDeviceSchema } from '../../../adapters/modbus/config.js'
import { planReads, rawValue } from '../../../adapters/modbus/plan.js'
import { ProfileSchema, type Point } from '../../../adapters/modbus/profile.js'
import { BUILTIN_PROFILES } from '../../../adapters/modbus/profiles.js'
import { zodProblems } from '../../../config/problems.js'

const lock = BUILTIN_PROFILES['parking-lock']
const sensor = BUILTIN_PROFILES['occupancy-sensor']

describe('planReads', () => {
  it('reads the parking lock in two requests: holding 0-5 and input 0-2', () => {
    expect(planReads(lock).map(({ fc, address, quantity }) => ({ fc, address, quantity }))).toEqual([
      { fc: 3, address: 0, quantity: 6 },
      { fc: 4, address: 0, quantity: 3 },
    ])
  })

  it('reads the occupancy sensor in two requests: discrete 0 and input 0-3', () => {
    expect(planReads(sensor).map(({ fc, address, quantity, points }) => ({ fc, address, quantity, points }))).toEqual([
      { fc: 2, address: 0, quantity: 1, points: ['occupied'] },
      { fc: 4, address: 0, quantity: 4, points: ['distance', 'battery', 'tamper', 'signal'] },
    ])
  })

  it('splits at a gap wider than maxReadGap and at the 125-register limit', () => {
    const p = ProfileSchema.parse({
      maxReadGap: 2,
      points: {
        a: { table: 'holding', address: 0 },
        b: { table: 'holding', address: 3 },
        c: { table: 'holding', address: 10 },
        d: { table: 'holding', address: 200 },
        e: { table: 'holding', address: 324, type: 'u32' },
      },
    })
    expect(planReads(p).map((b) => [b.address, b.quantity])).toEqual([
      [0, 4],
      [10, 1],
      [200, 1],
      [324, 2],
    ])
  })
})

describe('rawValue', () => {
  const block = { table: 'holding' as const, fc: 3 as const, address: 10, quantity: 6, points: [] }
  const res = { unit: 1, fc: 3 as const, registers: [0x4148, 0x0000, 0x0000, 0x4148, 0xfff6, 0xa5c3] }
  const pt = (over: Record<string, unknown>): Point => ProfileSchema.parse({ points: { x: { table: 'holding', address: 10, ...over } } }).points['x']!

  it.each<[string, Record<string, unknown>, number]>([
    ['u16', {}, 0x4148],
    ['f32 high word first (12.5)', { type: 'f32' }, 12.5],
    ['f32 low word first (12.5)', { type: 'f32', address: 12, wordOrder: 'low-first' }, 12.5],
    ['i16 negative', { type: 'i16', address: 14 }, -10],
    ['u32 high word first', { type: 'u32', address: 14 }, 0xfff6a5c3],
    ['i32 low word first', { type: 'i32', address: 14, wordOrder: 'low-first' }, 0xa5c3fff6 | 0],
    ['bit field 8-15', { address: 15, bits: { from: 8, count: 8 } }, 0xa5],
    ['bit 0', { address: 15, bits: { from: 0, count: 1 } }, 1],
  ])('%s', (_n, over, want) => {
    expect(rawValue(pt(over), block, res)).toBe(want)
  })

  it('a coil reply gives 0 or 1', () => {
    const p = ProfileSchema.parse({ points: { c: { table: 'coil', address: 3 } } }).points['c']!
    expect(rawValue(p, { table: 'coil', fc: 1, address: 2, quantity: 2, points: [] }, { unit: 1, fc: 1, bits: [false, true] })).toBe(1)
  })
})

describe('profile validation', () => {
  const base = { id: 'lock-1', adapter: 'modbus', kind: 'parking', transport: '/dev/ttyUSB0', unit: 3 }

  it('accepts a built-in profile by name with defaults', () => {
    const d = ModbusDeviceSchema.parse({ ...base, profile: 'parking-lock' })
    expect(d).toMatchObject({ pollIntervalMs: 1000, responseTimeoutMs: 300, retries: 1, transport: { path: '/dev/ttyUSB0', baudRate: 9600 } })
  })

  it('a vendor map in YAML with a misspelt event type is reported at its path', () => {
    const yaml = `
id: lock-9
adapter: modbus
kind: parking
transport: tcp://10.0.0.7:4001
unit: 9
profile:
  points:
    pos:
      table: holding
      address: 16
      states:
        0: { state: down, event: lock.lowerd }
        1: { state: up, event: lock.raised }
`
    const r = ModbusDeviceSchema.safeParse(parseYaml(yaml))
    expect(r.success).toBe(false)
    const problems = zodProblems(r.error!)
    expect(problems).toContainEqual(expect.objectContaining({ path: 'profile.points.pos.states.0.event', message: expect.stringMatching(/lock\.lowerd/) }))
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['a coil with a register type', { points: { a: { table: 'coil', address: 0, type: 'u16' } } }, 'points.a.type'],
    ['a bit field on a 32-bit value', { points: { a: { table: 'input', address: 0, type: 'u32', bits: { from: 0, count: 1 } } } }, 'points.a.bits'],
    ['a bit field past bit 15', { points: { a: { table: 'input', address: 0, bits: { from: 12, count: 8 } } } }, 'points.a.bits'],
    ['a negative address', { points: { a: { table: 'input', address: -1 } } }, 'points.a.address'],
    ['a state key that is not a number', { points: { a: { table: 'input', address: 0, states: { on: { state: 'on' } } } } }, 'points.a.states.on'],
    [
      'a command awaiting an unknown state',
      {
        points: { a: { table: 'input', address: 0, states: { '1': { state: 'up' } } } },
        commands: { raise: { write: { table: 'holding', address: 1, value: 1 }, await: { point: 'a', state: 'raised' } } },
      },
      'commands.raise.await.state',
    ],
    [
      'a refusal on an unknown point',
      {
        points: { a: { table: 'input', address: 0 } },
        commands: { raise: { write: { table: 'coil', address: 1, value: true }, refuseWhen: [{ point: 'car', state: 'x' }] } },
      },
      'commands.raise.refuseWhen.0.point',
    ],
  ])('rejects %s at %s', (_n, profile, path) => {
    const r = ProfileSchema.safeParse(profile)
    expect(r.success).toBe(false)
    expect(zodProblems(r.error!).map((p) => p.path)).toContain(path)
  })
})

describe('valid range and values', () => {
  it('a range with min above max, or a state outside the values, is refused at its path', () => {
    const r = ProfileSchema.safeParse({
      points: {
        t: { table: 'holding', address: 0, range: { min: 5, max: 1 } },
        s: { table: 'holding', address: 1, values: [0, 1], states: { '2': { state: 'two' } } },
      },
    })
    expect(r.success).toBe(false)
    expect(r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'points.t.range: min 5 is above max 1',
      'points.s.values: state 2 is not among the valid values (0, 1)',
    ])
  })
})
