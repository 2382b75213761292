import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import type { Adapter } from '../../../adapters/types.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { serveTcp, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { captureLog } from '../../helpers/logs.js'
import { startUnits, type Recorder } from './context.js'

/**
 * The built-in lock profile on a lock with another vendor's register map (the simulator's alt
 * lock, as met on site), over RTU over TCP. Before, it gave vehicle "unknown-3600", battery 0 V
 * and motor temperature 360 °C, as `other` and `battery.low` events. Now each reading outside
 * what the profile allows is one `profile.mismatch` fault per point, and no events.
 */
let model: ParkingBusModel
let server: WireServer
let adapters: Adapter[] = []
let rec: Recorder
const logs = captureLog()

beforeAll(async () => {
  model = new ParkingBusModel([{ unit: 1, type: 'alt-lock' }], { now: () => Date.now() })
  server = await serveTcp(model)
  let recs: Recorder[]
  ;({ adapters, recs } = await startUnits(
    [{ id: 'lock-1', unit: 1, profile: 'parking-lock', transport: server.address, pollIntervalMs: 50, offlinePollIntervalMs: 200 }],
    logs,
  ))
  rec = recs[0]!
})

afterAll(async () => {
  for (const a of adapters) await a.stop()
  await server?.close()
})

const mismatches = () => rec.events.filter((e) => e.type === 'profile.mismatch')

describe('a profile that does not fit the unit', () => {
  it('raises one profile.mismatch per point, naming the register, the value and the profile', async () => {
    await rec.waitFor((e) => e.type === 'profile.mismatch')
    const polls = model.history.length
    // Several more polls: still one event per point.
    await vi.waitFor(() => expect(model.history.length).toBeGreaterThanOrEqual(polls + 10), { timeout: 5000 })
    const byPoint = Object.fromEntries(mismatches().map((e) => [e.attrs!['point'], e.attrs]))
    expect(Object.keys(byPoint).sort()).toEqual(['battery', 'commandStatus', 'motorTemp', 'vehicle'])
    expect(mismatches()).toHaveLength(4)
    expect(byPoint['vehicle']).toMatchObject({
      unit: 1,
      register: 'holding 2',
      rawValue: 3600,
      expected: 'the values 0, 1',
      profile: 'parking-lock',
      reason: expect.stringMatching(/holding 2 \(vehicle\) reads 3600, outside the values 0, 1 in profile "parking-lock"/),
    })
    expect(byPoint['battery']).toMatchObject({ register: 'holding 3', rawValue: 0, value: 0, expected: 'the range 6 to 16 V' })
    expect(byPoint['motorTemp']).toMatchObject({ register: 'input 2', value: 360, expected: 'the range -40 to 125 °C' })
  })

  it('turns none of the nonsense into events or state', () => {
    // device.online: the unit answered; the rest would be the nonsense (other, battery.low).
    expect(rec.events.map((e) => e.type).filter((t) => t !== 'profile.mismatch' && t !== 'device.online')).toEqual([])
    expect(rec.state).toMatchObject({
      online: true,
      position: 'lowered',
      faultCode: 'none',
      profileMismatch: ['vehicle', 'battery', 'commandStatus', 'motorTemp'],
    })
    expect(rec.state).not.toHaveProperty('vehicle')
    expect(rec.state).not.toHaveProperty('battery')
  })

  it('warns once per point, with the register and the value', () => {
    const lines = logs.find('reading outside the profile')
    expect(lines).toHaveLength(4)
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, device: 'lock-1', point: 'vehicle', register: 'holding 2', rawValue: 3600 }))
  })

  it('a command that depends on a point read outside the profile is not sent', async () => {
    const writes = model.history.filter((h) => h.fc === 6).length
    expect(await adapters[0]!.command!({ id: 'c1', action: 'raise', params: {} })).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/vehicle reads outside the profile.*not sent/),
    })
    expect(model.history.filter((h) => h.fc === 6).length).toBe(writes)
  })
})

describe("the vendor's own map (config/examples/parking-modbus.example.yaml, lock-b2-019)", () => {
  it('fits the same lock: its readings within the profile, no profile.mismatch', async () => {
    const yaml = parse(readFileSync(fileURLToPath(new URL('../../../config/examples/parking-modbus.example.yaml', import.meta.url)), 'utf8')) as {
      devices: { id: string; profile: unknown }[]
    }
    const profile = yaml.devices.find((d) => d.id === 'lock-b2-019')!.profile
    const own = await startUnits([{ id: 'lock-2', unit: 1, profile, transport: server.address, pollIntervalMs: 50, offlinePollIntervalMs: 200 }], logs)
    adapters.push(...own.adapters)
    const r = own.recs[0]!
    await r.waitState((s) => s['supply'] !== undefined)
    expect(r.state).toMatchObject({ position: 'lowered', vehicle: 'vacant', supply: 36, profileMismatch: [] })
    expect(r.events.filter((e) => e.type === 'profile.mismatch')).toEqual([])
  })
})
