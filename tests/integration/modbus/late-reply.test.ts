import { afterEach, describe, expect, it } from 'vitest'
import type { Adapter } from '../../../adapters/types.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { serveTcp, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { captureLog } from '../../helpers/logs.js'
import { recorder, type Recorder } from './context.js'
import { ModbusDeviceSchema } from '../../../adapters/modbus/config.js'
import { createModbusDefinition } from '../../../adapters/modbus/index.js'

/**
 * A lock slower than the response timeout, as one seen on site (built on libmodbus: it answers
 * every request, in turn, 350 ms later) behind a 300 ms timeout, with two reads per poll of the
 * same shape (holding 0-1 and 5-6). Before, a late reply was taken as the answer to the next
 * read: position and vehicle became 65535 (the tag registers), the platform got `other` events,
 * and nothing was logged.
 */
const ALT_LOCK_PROFILE = {
  description: "the alt lock's own map, read as two requests",
  maxReadGap: 0,
  points: {
    position: {
      table: 'holding',
      address: 0,
      states: {
        '0': { state: 'lowered', event: 'lock.lowered' },
        '1': { state: 'raised', event: 'lock.raised' },
        '2': { state: 'moving' },
        '3': { state: 'fault', event: 'lock.fault' },
      },
    },
    vehicle: {
      table: 'holding',
      address: 1,
      states: { '0': { state: 'vacant', event: 'parking.vacant' }, '1': { state: 'occupied', event: 'parking.occupied' } },
    },
    lastTag: { table: 'holding', address: 5, type: 'u32' },
  },
}

const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

async function slowLock(
  framing: 'rtu' | 'mbap',
  responseTimeoutMs: number,
): Promise<{ model: ParkingBusModel; rec: Recorder; logs: ReturnType<typeof captureLog> }> {
  const model = new ParkingBusModel([{ unit: 1, type: 'alt-lock' }], { now: () => Date.now() })
  model.setReplyDelay(1, 350)
  const server: WireServer = await serveTcp(model, { framing })
  stops.push(() => server.close())
  const logs = captureLog()
  const rec = recorder('lock-1', logs)
  const cfg = ModbusDeviceSchema.parse({
    id: 'lock-1',
    adapter: 'modbus',
    kind: 'parking',
    unit: 1,
    framing,
    transport: server.address,
    profile: ALT_LOCK_PROFILE,
    pollIntervalMs: 200,
    responseTimeoutMs,
    retries: 1,
    offlineAfterMisses: 2,
  })
  const adapter: Adapter = createModbusDefinition().create!(cfg, rec.ctx)
  await adapter.start()
  stops.push(() => adapter.stop())
  return { model, rec, logs }
}

describe.each(['rtu', 'mbap'] as const)('a lock slower than the response timeout (%s)', (framing) => {
  it('never takes a late reply for the next request: the unit goes offline saying it answers late', async () => {
    const { rec, logs } = await slowLock(framing, 300)
    // Whichever comes first: a wrong answer taken (before the fix, within 1-2 s) or the outage.
    await rec.waitFor((e) => e.type === 'other' || e.type === 'device.offline', 15_000)
    expect(rec.events.filter((e) => e.type === 'other')).toEqual([])
    expect(rec.state['position']).toBeUndefined()
    const off = rec.events.find((e) => e.type === 'device.offline')!
    expect(off.attrs).toMatchObject({ reason: expect.stringMatching(/came late, up to \d+ ms after the request: raise responseTimeoutMs/) })
    const warned = logs.find('late reply discarded', { level: 40 })
    expect(warned).toEqual([expect.objectContaining({ unit: 1, lateMs: expect.any(Number), action: expect.stringMatching(/raise responseTimeoutMs/) })])
    expect(warned[0]!['lateMs']).toBeGreaterThanOrEqual(300)
  })

  it('with a timeout the lock can meet, each read gets its own answer', async () => {
    const { model, rec } = await slowLock(framing, 600)
    await rec.waitState((s) => s.online === true, 10_000)
    expect(rec.state).toMatchObject({ position: 'lowered', vehicle: 'vacant', lastTag: 0xffff_ffff })
    model.lock(1).setVehicle(true)
    await rec.waitFor((e) => e.type === 'parking.occupied', 10_000)
    expect(rec.events.filter((e) => e.type === 'other')).toEqual([])
  })
})
