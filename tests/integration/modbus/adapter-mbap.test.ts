import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModbusDeviceSchema } from '../../../adapters/modbus/config.js'
import type { Adapter } from '../../../adapters/types.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { serveTcp, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { startUnits, type Recorder } from './context.js'

/** Modbus TCP (MBAP) to the simulator acting as a Modbus TCP gateway in front of the bus. */
let model: ParkingBusModel
let server: WireServer
let adapters: Adapter[] = []
let recs: Recorder[] = []

beforeAll(async () => {
  model = new ParkingBusModel(
    [
      { unit: 1, type: 'lock' },
      { unit: 2, type: 'lock' },
      { unit: 3, type: 'sensor' },
    ],
    { now: () => Date.now(), travelMs: 150 },
  )
  server = await serveTcp(model, { framing: 'mbap' })
  const common = {
    framing: 'mbap',
    transport: server.address,
    pollIntervalMs: 100,
    responseTimeoutMs: 100,
    retries: 1,
    offlineAfterMisses: 2,
    offlinePollIntervalMs: 500,
    commandPollIntervalMs: 50,
  }
  ;({ adapters, recs } = await startUnits([
    { id: 'lock-1', unit: 1, profile: 'parking-lock', ...common },
    { id: 'lock-2', unit: 2, profile: 'parking-lock', ...common },
    { id: 'space-3', unit: 3, profile: 'occupancy-sensor', ...common },
  ]))
})

afterAll(async () => {
  for (const a of adapters) await a.stop()
  await server?.close()
})

describe('modbus adapter over Modbus TCP', () => {
  it('polls every unit and carries out a raise', async () => {
    expect(recs[2]!.state).toMatchObject({ occupied: 'vacant', battery: 3.6 })
    expect(await adapters[0]!.command!({ id: 'a', action: 'raise', params: {} })).toMatchObject({ status: 'ok', data: { position: 'raised' } })
    await recs[0]!.waitFor((e) => e.type === 'lock.raised')
  })

  it('a silent unit goes offline; the others stay online', async () => {
    const since = recs[1]!.events.length
    model.setSilent(2, true)
    await recs[1]!.waitFor((e) => e.type === 'device.offline', 3000, since)
    expect([recs[0]!.state.online, recs[2]!.state.online]).toEqual([true, true])
    model.setSilent(2, false)
    await recs[1]!.waitFor((e) => e.type === 'device.online', 3000, since)
  })

  it('mbap needs a tcp transport: a serial path is a config error at framing', () => {
    const r = ModbusDeviceSchema.safeParse({
      id: 'x',
      adapter: 'modbus',
      kind: 'parking',
      unit: 1,
      profile: 'parking-lock',
      framing: 'mbap',
      transport: '/dev/ttyUSB0',
    })
    expect(r.success).toBe(false)
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('framing')
  })
})
