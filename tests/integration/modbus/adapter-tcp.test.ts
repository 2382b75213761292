import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ModbusDeviceSchema, type ModbusDeviceConfig } from '../../../adapters/modbus/config.js'
import { createModbusDefinition } from '../../../adapters/modbus/index.js'
import type { Adapter } from '../../../adapters/types.js'
import { BUILTIN_PROFILES } from '../../../adapters/modbus/profiles.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { serveTcp, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { captureLog } from '../../helpers/logs.js'
import { recorder, type Recorder } from './context.js'

/**
 * The adapter against the simulated bus over real TCP (RTU over TCP, as through a serial device
 * server): four units on one bus, each its own device.
 */
const UNITS = [
  { id: 'lock-1', unit: 1, type: 'lock' as const },
  { id: 'lock-2', unit: 2, type: 'lock' as const },
  { id: 'space-3', unit: 3, type: 'sensor' as const },
  { id: 'lock-4', unit: 4, type: 'lock' as const },
  { id: 'lock-5', unit: 5, type: 'lock' as const },
]

let model: ParkingBusModel
let server: WireServer
const adapters = new Map<string, Adapter>()
const rec = new Map<string, Recorder>()
const logs = captureLog()

/** Lock 5 uses the built-in map written inline, with a short raise timeout. */
const LOCK_5_PROFILE = {
  ...BUILTIN_PROFILES['parking-lock'],
  commands: { ...BUILTIN_PROFILES['parking-lock'].commands, raise: { ...BUILTIN_PROFILES['parking-lock'].commands['raise']!, timeoutMs: 400 } },
}

function device(id: string, unit: number, type: 'lock' | 'sensor', url: string): ModbusDeviceConfig {
  return ModbusDeviceSchema.parse({
    id,
    adapter: 'modbus',
    kind: 'parking',
    unit,
    transport: { url, backoff: { initialMs: 50, maxMs: 200 } },
    profile: unit === 5 ? LOCK_5_PROFILE : type === 'lock' ? 'parking-lock' : 'occupancy-sensor',
    pollIntervalMs: 100,
    responseTimeoutMs: 100,
    retries: 1,
    offlineAfterMisses: 2,
    offlinePollIntervalMs: 1000,
    commandPollIntervalMs: 50,
  })
}

beforeAll(async () => {
  model = new ParkingBusModel(UNITS, { now: () => Date.now(), travelMs: 300, seed: 5 })
  server = await serveTcp(model)
  const def = createModbusDefinition()
  for (const u of UNITS) {
    const r = recorder(u.id, logs)
    rec.set(u.id, r)
    const a = def.create!(device(u.id, u.unit, u.type, server.address), r.ctx)
    adapters.set(u.id, a)
    await a.start()
  }
  await Promise.all([...rec.values()].map((r) => r.waitState((s) => s.online === true)))
})

afterAll(async () => {
  for (const a of adapters.values()) await a.stop()
  await server?.close()
})

const cmd = (id: string, action: string) => adapters.get(id)!.command!({ id: `c-${Math.random()}`, action, params: {} })

describe('modbus adapter over TCP', () => {
  it('reports each unit as its own device with its profile state', () => {
    expect(rec.get('lock-1')!.state).toMatchObject({ online: true, unit: 1, position: 'lowered', vehicle: 'vacant', battery: 12.6, faultCode: 'none' })
    expect(rec.get('space-3')!.state).toMatchObject({ online: true, unit: 3, occupied: 'vacant', distance: 180, battery: 3.6, tamper: 'ok', signal: 200 })
  })

  it('publishes state only when a reading changes, not on every poll', async () => {
    const r = rec.get('lock-1')!
    const before = r.updates
    const polls = model.history.filter((h) => h.unit === 1).length
    await vi.waitFor(() => expect(model.history.filter((h) => h.unit === 1).length - polls).toBeGreaterThanOrEqual(8), { timeout: 5000, interval: 10 })
    // Nothing changed, so no update: at most one, should a loaded machine make a poll time out.
    expect(r.updates - before).toBeLessThanOrEqual(1)
  })

  it('an arriving vehicle is reported after the sensor debounce', async () => {
    const r = rec.get('space-3')!
    model.sensor(3).setVehicle(true)
    const e = await r.waitFor((x) => x.type === 'parking.occupied', 4000)
    expect(e.attrs).toMatchObject({ unit: 3, point: 'occupied', state: 'occupied' })
    expect(e.raw).toMatch(/^0302/)
  })

  it('raise then lower: ok with the position reached, and lock.raised / lock.lowered events', async () => {
    const r = rec.get('lock-2')!
    const up = await cmd('lock-2', 'raise')
    expect(up).toMatchObject({ status: 'ok', data: { position: 'raised' } })
    await r.waitFor((e) => e.type === 'lock.raised')
    expect(model.lock(2).position).toBe(1)
    const down = await cmd('lock-2', 'lower')
    expect(down.status).toBe('ok')
    await r.waitFor((e) => e.type === 'lock.lowered')
  })

  it('refuses to raise with a vehicle present, without writing', async () => {
    model.lock(1).setVehicle(true)
    await rec.get('lock-1')!.waitFor((e) => e.type === 'parking.occupied', 3000)
    const writesBefore = model.history.filter((h) => h.unit === 1 && h.fc === 6).length
    expect(await cmd('lock-1', 'raise')).toMatchObject({ status: 'refused', reason: 'vehicle present' })
    expect(model.history.filter((h) => h.unit === 1 && h.fc === 6).length).toBe(writesBefore)
    expect(model.lock(1).position).toBe(0)
    model.lock(1).setVehicle(false)
  })

  it('a jam fails the command with fault and raises lock.fault; clear-fault restores', async () => {
    const r = rec.get('lock-4')!
    model.lock(4).jamNext = true
    const res = await cmd('lock-4', 'raise')
    expect(res).toMatchObject({ status: 'fault', data: { faultCode: 'jammed' } })
    const fault = await r.waitFor((e) => e.type === 'lock.fault')
    expect(fault.attrs).toMatchObject({ unit: 4, points: { faultCode: 'jammed' } })
    expect(await cmd('lock-4', 'lower')).toMatchObject({ status: 'fault', reason: /clear the fault first/ })
    expect(await cmd('lock-4', 'clear-fault')).toMatchObject({ status: 'ok' })
    await r.waitFor((e) => e.type === 'lock.fault.restore')
  })

  it('an unknown action is unsupported and names the ones there are', async () => {
    expect(await cmd('lock-1', 'fly')).toMatchObject({ status: 'unsupported', reason: /raise, lower, clear-fault/ })
  })

  it('survives CRC errors and exception replies without going offline', async () => {
    const r = rec.get('lock-1')!
    const offlineBefore = r.events.filter((e) => e.type === 'device.offline').length
    const corrupted = model.counters.corrupted
    model.corruptNext(3)
    await vi.waitFor(() => expect(model.counters.corrupted).toBe(corrupted + 3), { timeout: 5000, interval: 10 })
    // After the corruptions, or the exception reply itself could be the one corrupted.
    model.failNextWith(1, 6)
    await logs.waitFor('poll not served', { exception: 6 })
    await r.waitState((s) => ((s['errors'] as Record<string, number> | undefined)?.['busBadCrc'] ?? 0) >= 1)
    expect(r.events.filter((e) => e.type === 'device.offline').length).toBe(offlineBefore)
    expect(r.state.online).toBe(true)
    expect(logs.find('bytes dropped on the bus').length).toBeGreaterThan(0)
    // The counts are in the state (and so on the state topic and in the API).
    expect((r.state['errors'] as Record<string, number>)['busBadCrc']).toBeGreaterThanOrEqual(1)
    expect(logs.find('poll not served', { exception: 6 }).length).toBeGreaterThan(0)
  })

  it('a lock that stops answering after the write: the command times out at its deadline', async () => {
    const t0 = Date.now()
    const pending = cmd('lock-5', 'raise')
    // Let the fresh read and the write through, then cut the unit off.
    while (!model.history.some((h) => h.unit === 5 && h.fc === 6 && h.at >= t0)) await new Promise((r) => setTimeout(r, 5))
    model.setSilent(5, true)
    const res = await pending
    expect(res).toMatchObject({ status: 'timeout', reason: expect.stringMatching(/unit 5 did not answer/) })
    model.setSilent(5, false)
    // The arm finished the move it was told to make: the next test starts from rest.
    await rec.get('lock-5')!.waitState((s) => s.online === true && s['position'] === 'raised', 3000)
  })

  it('stopping the adapter ends a command in progress at once', async () => {
    const a = adapters.get('lock-5')!
    model.lock(5).position = 0
    const t0 = Date.now()
    const pending = a.command!({ id: 'c-stop', action: 'raise', params: {} })
    // Stop once the arm is moving: the command is waiting for the raised position.
    await vi.waitFor(() => expect(model.history.some((h) => h.unit === 5 && h.fc === 6 && h.at >= t0)).toBe(true), { timeout: 5000, interval: 5 })
    await a.stop()
    // Had the stop waited for the command, the 400 ms deadline would have answered `timeout`.
    expect(await pending).toMatchObject({ status: 'error', reason: /stopped/ })
    adapters.delete('lock-5')
  })

  it('a silent unit goes offline while the others keep being polled on time, and comes back', async () => {
    const r = rec.get('lock-2')!
    // On a loaded machine the unit may have missed polls before: wait for this outage's events.
    const since = r.events.length
    model.setSilent(2, true)
    await r.waitFor((e) => e.type === 'device.offline', 3000, since)
    expect(r.state).toMatchObject({ online: false, reason: /no answer to 2 polls/ })
    // A command to an offline unit fails at once: nothing is sent to it.
    const sent = model.history.filter((h) => h.unit === 2 && h.fc === 6).length
    expect(await cmd('lock-2', 'raise')).toMatchObject({ status: 'offline', reason: /does not answer/ })
    expect(model.history.filter((h) => h.unit === 2 && h.fc === 6).length).toBe(sent)
    // The others keep being answered (their gaps are checked on fake timers in tests/unit/modbus/schedule.test.ts).
    const answered = (unit: number) => model.history.filter((h) => h.unit === unit && h.answered).length
    const before = [1, 3, 4].map(answered)
    await vi.waitFor(() => expect(Math.min(...[1, 3, 4].map((u, i) => answered(u) - before[i]!))).toBeGreaterThanOrEqual(10), { timeout: 10_000, interval: 10 })
    for (const id of ['lock-1', 'space-3', 'lock-4']) expect(rec.get(id)!.state.online, id).toBe(true)
    model.setSilent(2, false)
    await r.waitFor((e) => e.type === 'device.online', 3000, since)
    expect(r.state.online).toBe(true)
  })
})
