import { ProfileSchema, type Profile, type ProfileInput } from './profile.js'

/**
 * Built-in register maps, documented in SPEC.md. They describe a generic motorised parking lock
 * and a generic occupancy sensor; a vendor's device with another map gets an inline `profile:`
 * in config instead (same shape as these).
 */
const PARKING_LOCK: ProfileInput = {
  description: 'Generic motorised parking lock (ground lock) with a vehicle detector',
  points: {
    position: {
      table: 'holding',
      address: 0,
      states: {
        '0': { state: 'lowered', event: 'lock.lowered' },
        '1': { state: 'raised', event: 'lock.raised' },
        '2': { state: 'moving' },
        '3': { state: 'fault', event: 'lock.fault', restoreEvent: 'lock.fault.restore' },
      },
      values: [0, 1, 2, 3],
    },
    vehicle: {
      table: 'holding',
      address: 2,
      states: { '0': { state: 'vacant', event: 'parking.vacant' }, '1': { state: 'occupied', event: 'parking.occupied' } },
      debounceMs: 500,
      values: [0, 1],
    },
    // A 12 V lock: below 6 V it could not drive its motor or answer; above 16 V it is not a 12 V battery.
    battery: { table: 'holding', address: 3, scale: 0.01, unit: 'V', low: { below: 11.0, hysteresis: 0.3 }, range: { min: 6, max: 16 } },
    faultCode: {
      table: 'holding',
      address: 4,
      states: { '0': { state: 'none' }, '1': { state: 'jammed' }, '2': { state: 'overcurrent' }, '3': { state: 'obstructed' } },
      values: [0, 1, 2, 3],
    },
    commandStatus: {
      table: 'holding',
      address: 5,
      states: { '0': { state: 'idle' }, '1': { state: 'busy' }, '2': { state: 'refused' }, '3': { state: 'failed' } },
      values: [0, 1, 2, 3],
    },
    cycles: { table: 'input', address: 0, type: 'u32' },
    // Outdoors, a motor neither freezes past -40 °C nor runs above 125 °C (its winding's class).
    motorTemp: { table: 'input', address: 2, type: 'i16', scale: 0.1, unit: '°C', range: { min: -40, max: 125 } },
  },
  commands: {
    raise: {
      write: { table: 'holding', address: 1, value: 1 },
      await: { point: 'position', state: 'raised' },
      refuseWhen: [{ point: 'vehicle', state: 'occupied', reason: 'vehicle present' }],
      faultWhen: [{ point: 'position', state: 'fault', reason: 'lock fault while raising' }],
      timeoutMs: 15_000,
    },
    lower: {
      write: { table: 'holding', address: 1, value: 2 },
      await: { point: 'position', state: 'lowered' },
      faultWhen: [{ point: 'position', state: 'fault', reason: 'lock fault while lowering' }],
      timeoutMs: 15_000,
    },
    'clear-fault': {
      write: { table: 'coil', address: 0, value: true },
      await: { point: 'faultCode', state: 'none' },
      timeoutMs: 5000,
    },
  },
}

const OCCUPANCY_SENSOR: ProfileInput = {
  description: 'Generic parking-space occupancy sensor (magnetic or radar)',
  points: {
    occupied: {
      table: 'discrete',
      address: 0,
      states: { '0': { state: 'vacant', event: 'parking.vacant' }, '1': { state: 'occupied', event: 'parking.occupied' } },
      // A car door opening or a passer-by flickers the detector: report a change after 2 s.
      debounceMs: 2000,
    },
    distance: { table: 'input', address: 0, unit: 'cm', range: { max: 1000 } },
    // Many battery sensors keep floats low word first. A 3.6 V lithium cell: a NaN or 0 V is no reading.
    battery: { table: 'input', address: 1, type: 'f32', wordOrder: 'low-first', unit: 'V', low: { below: 3.3, hysteresis: 0.1 }, range: { min: 1, max: 5 } },
    tamper: {
      table: 'input',
      address: 3,
      bits: { from: 0, count: 1 },
      states: { '0': { state: 'ok', event: 'tamper.restore' }, '1': { state: 'tampered', event: 'tamper' } },
    },
    signal: { table: 'input', address: 3, bits: { from: 8, count: 8 } },
  },
}

export const BUILTIN_PROFILES = {
  'parking-lock': ProfileSchema.parse(PARKING_LOCK),
  'occupancy-sensor': ProfileSchema.parse(OCCUPANCY_SENSOR),
} as const satisfies Record<string, Profile>
export type BuiltinProfileName = keyof typeof BUILTIN_PROFILES
export const BUILTIN_PROFILE_NAMES = Object.keys(BUILTIN_PROFILES) as [BuiltinProfileName, ...BuiltinProfileName[]]
