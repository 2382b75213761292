import { describe, expect, it } from 'vitest'
import { UnitDecoder } from '../../../adapters/modbus/decode.js'
import { BUILTIN_PROFILES } from '../../../adapters/modbus/profiles.js'

const LOCK = BUILTIN_PROFILES['parking-lock']
const SENSOR = BUILTIN_PROFILES['occupancy-sensor']
const lockRaw = (over: Record<string, number> = {}) => ({
  position: 0,
  vehicle: 0,
  battery: 1250,
  faultCode: 0,
  commandStatus: 0,
  cycles: 7,
  motorTemp: 215,
  ...over,
})
const types = (r: { events: { type: string }[] }) => r.events.map((e) => e.type)

describe('UnitDecoder (parking lock)', () => {
  it('the first reading sets the state and raises no information events', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    const r = d.update(lockRaw(), 0)
    expect(r.events).toEqual([])
    expect(r.state).toEqual({ position: 'lowered', vehicle: 'vacant', battery: 12.5, faultCode: 'none', commandStatus: 'idle', cycles: 7, motorTemp: 21.5 })
  })

  it('a lock already in fault at the first reading raises lock.fault', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    expect(types(d.update(lockRaw({ position: 3, faultCode: 1 }), 0))).toEqual(['lock.fault'])
  })

  it('position changes raise lock.raised, nothing for moving, lock.fault, then restore and lowered', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    d.update(lockRaw(), 0)
    expect(types(d.update(lockRaw({ position: 2 }), 100))).toEqual([])
    const raised = d.update(lockRaw({ position: 1, cycles: 8 }), 200)
    expect(types(raised)).toEqual(['lock.raised'])
    expect(raised.events[0]!.attrs).toMatchObject({
      unit: 4,
      point: 'position',
      state: 'raised',
      previous: 'moving',
      points: { position: 'raised', cycles: 8 },
    })
    const fault = d.update(lockRaw({ position: 3, faultCode: 1 }), 300)
    expect(types(fault)).toEqual(['lock.fault'])
    expect(fault.events[0]!.attrs).toMatchObject({ points: { faultCode: 'jammed' } })
    expect(types(d.update(lockRaw({ position: 0 }), 400))).toEqual(['lock.fault.restore', 'lock.lowered'])
  })

  it('vehicle debounce: a 300 ms flicker is not reported; a change held 500 ms is, once', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    d.update(lockRaw(), 0)
    expect(types(d.update(lockRaw({ vehicle: 1 }), 1000))).toEqual([])
    expect(types(d.update(lockRaw({ vehicle: 0 }), 1300))).toEqual([])
    expect(types(d.update(lockRaw({ vehicle: 1 }), 2000))).toEqual([])
    expect(types(d.update(lockRaw({ vehicle: 1 }), 2400))).toEqual([])
    expect(types(d.update(lockRaw({ vehicle: 1 }), 2500))).toEqual(['parking.occupied'])
    expect(types(d.update(lockRaw({ vehicle: 1 }), 3000))).toEqual([])
    expect(d.stateOf('vehicle')).toBe('occupied')
  })

  it('battery.low below 11.0 V, restored only above 11.3 V', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    d.update(lockRaw({ battery: 1150 }), 0)
    expect(types(d.update(lockRaw({ battery: 1090 }), 1))).toEqual(['battery.low'])
    expect(types(d.update(lockRaw({ battery: 1120 }), 2))).toEqual([])
    expect(types(d.update(lockRaw({ battery: 1090 }), 3))).toEqual([])
    const back = d.update(lockRaw({ battery: 1131 }), 4)
    expect(types(back)).toEqual(['battery.restored'])
    expect(back.events[0]!.attrs).toMatchObject({ value: 11.31, units: 'V' })
  })

  it('a battery already low at the first reading is reported', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    expect(types(d.update(lockRaw({ battery: 1000 }), 0))).toEqual(['battery.low'])
  })

  it('a value the profile does not name, in a profile that declares no valid values, becomes `other` with the raw value', () => {
    const { values: _values, ...position } = LOCK.points['position']!
    const d = new UnitDecoder({ ...LOCK, points: { ...LOCK.points, position } }, 'parking', 4)
    d.update(lockRaw(), 0)
    const r = d.update(lockRaw({ position: 9 }), 1)
    expect(types(r)).toEqual(['other'])
    expect(r.events[0]!.attrs).toMatchObject({ point: 'position', rawValue: 9, state: 'unknown-9' })
    expect(r.state['position']).toBe('unknown-9')
  })

  it('keeps the raw frame for audit when given', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    d.update(lockRaw(), 0)
    expect(d.update(lockRaw({ position: 1 }), 1, '0403...').events[0]!.raw).toBe('0403...')
  })
})

describe('UnitDecoder (occupancy sensor)', () => {
  const raw = (over: Record<string, number> = {}) => ({ occupied: 0, distance: 120, battery: 3.6, tamper: 0, signal: 200, ...over })

  it('occupancy held 2 s is reported; tamper at once', () => {
    const d = new UnitDecoder(SENSOR, 'parking', 11)
    expect(d.update(raw(), 0).events).toEqual([])
    expect(types(d.update(raw({ occupied: 1 }), 1000))).toEqual([])
    expect(types(d.update(raw({ occupied: 1, tamper: 1 }), 2000))).toEqual(['tamper'])
    expect(types(d.update(raw({ occupied: 1, tamper: 0 }), 3000))).toEqual(['parking.occupied', 'tamper.restore'])
  })
})

describe('UnitDecoder raw frames', () => {
  it('keeps at most 4096 characters of raw frame', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4)
    d.update(lockRaw(), 0)
    expect(d.update(lockRaw({ position: 1 }), 1, 'ab'.repeat(3000)).events[0]!.raw).toHaveLength(4096)
  })
})

describe('UnitDecoder: readings outside the profile', () => {
  it('one profile.mismatch per point, however many polls; the point leaves state and raises nothing', () => {
    const d = new UnitDecoder(LOCK, 'parking', 4, 'parking-lock')
    const first = d.update(lockRaw({ vehicle: 3600, battery: 0 }), 0)
    expect(types(first)).toEqual(['profile.mismatch', 'profile.mismatch'])
    expect(first.mismatched).toEqual(['vehicle', 'battery'])
    expect(first.state).not.toHaveProperty('vehicle')
    expect(first.events[1]!.attrs).toMatchObject({
      point: 'battery',
      register: 'holding 3',
      rawValue: 0,
      expected: 'the range 6 to 16 V',
      profile: 'parking-lock',
    })
    expect(types(d.update(lockRaw({ vehicle: 3600, battery: 0 }), 1000))).toEqual([])
    expect(d.isMismatched('vehicle')).toBe(true)
    // Back within the profile: tracked again (and not reported twice if it strays again).
    const back = d.update(lockRaw({ vehicle: 0 }), 2000)
    expect(back.state).toMatchObject({ vehicle: 'vacant' })
    expect(d.isMismatched('vehicle')).toBe(false)
    expect(types(d.update(lockRaw({ vehicle: 7 }), 3000))).toEqual([])
  })

  it('a NaN float is outside any declared range', () => {
    const d = new UnitDecoder(SENSOR, 'parking', 9)
    const r = d.update({ occupied: 0, distance: 180, battery: Number.NaN, tamper: 0, signal: 200 }, 0)
    expect(r.mismatched).toEqual(['battery'])
    expect(r.events[0]!.attrs).toMatchObject({ expected: 'the range 1 to 5 V', profile: 'custom' })
  })
})
