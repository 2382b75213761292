import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../config/load.js'
import { ConfigError, type ConfigProblem } from '../../../base/errors.js'
import { BUILTIN_PROFILES } from '../../../adapters/modbus/profiles.js'
import { profileEventTypes } from '../../../adapters/modbus/device-rules.js'
import { isKnownType } from '../../../base/events/types.js'

const BASE = `version: 1
site: { id: lotus, name: Lotus }
journal: { path: ./j.db }
devices:
`

function problems(devices: string): ConfigProblem[] {
  try {
    parseConfig(BASE + devices, 'test.yaml', '/etc/pingan', {})
    return []
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
}

describe('a device kind must fit the events its adapter emits', () => {
  it('a parking lock declared as an alarm is refused, naming the kind that fits', () => {
    const p = problems('  - { id: lock-1, adapter: modbus, kind: alarm, profile: parking-lock, unit: 1, transport: /dev/ttyUSB0 }\n')
    expect(p).toEqual([
      {
        path: 'devices.0.kind',
        message: expect.stringMatching(/^kind "alarm" does not fit profile "parking-lock": it reports lock\.lowered, .*; use kind: parking$/),
      },
    ])
  })

  it('each built-in profile is accepted with the kind it fits', () => {
    expect(
      problems(
        '  - { id: lock-1, adapter: modbus, kind: parking, profile: parking-lock, unit: 1, transport: /dev/ttyUSB0 }\n  - { id: bay-1, adapter: modbus, kind: parking, profile: occupancy-sensor, unit: 2, transport: /dev/ttyUSB0 }\n',
      ),
    ).toEqual([])
    for (const p of Object.values(BUILTIN_PROFILES)) {
      for (const t of profileEventTypes(p)) expect(isKnownType('parking', t)).toBe(true)
    }
  })
})

describe('settings an adapter would ignore are refused', () => {
  it('supervisionMs on an OSDP bus points to offlineAfterMs', () => {
    const p = problems('  - { id: bus-1, adapter: osdp, transport: /dev/ttyUSB1, readers: [{ address: 1, door: gate }], supervisionMs: 60000 }\n')
    expect(p).toEqual([{ path: 'devices.0.supervisionMs', message: expect.stringMatching(/^osdp devices do not use supervisionMs\..*offlineAfterMs/) }])
  })

  it('supervisionMs on a Modbus unit points to its poll settings', () => {
    const p = problems('  - { id: lock-1, adapter: modbus, kind: parking, profile: parking-lock, unit: 1, transport: /dev/ttyUSB0, supervisionMs: 60000 }\n')
    expect(p).toEqual([{ path: 'devices.0.supervisionMs', message: expect.stringMatching(/^modbus devices do not use supervisionMs\..*offlineAfterMisses/) }])
  })

  it('frameSilenceMs with Modbus TCP framing', () => {
    const p = problems(
      '  - { id: lock-1, adapter: modbus, kind: parking, profile: parking-lock, unit: 1, transport: "tcp://10.0.0.7:502", framing: mbap, frameSilenceMs: 5 }\n',
    )
    expect(p.map((x) => x.path)).toEqual(['devices.0.frameSilenceMs'])
  })

  it('supervisionMs stays valid where it is used', () => {
    expect(
      problems(
        '  - { id: i-1, adapter: mqtt-ingest, kind: access, supervisionMs: 60000 }\n  - { id: cam-1, adapter: onvif, address: 10.0.0.9, supervisionMs: 60000 }\n  - { id: rx-1, adapter: contact-id, transport: /dev/ttyS0, supervisionMs: 90000 }\n',
      ),
    ).toEqual([])
  })
})
