import { afterAll, describe, expect, it } from 'vitest'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { serveTcp } from '../../../simulators/parking-lock/wire.js'
import { startUnits } from './context.js'

describe('per-unit poll intervals on one bus', () => {
  const stops: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const s of stops.reverse()) await s()
  })

  it('each unit is polled at its own interval', async () => {
    const model = new ParkingBusModel([{ unit: 1, type: 'lock' }, { unit: 2, type: 'sensor' }], { now: () => Date.now() })
    const server = await serveTcp(model)
    stops.push(() => server.close())
    const { adapters } = await startUnits([
      { id: 'lock-1', unit: 1, profile: 'parking-lock', transport: server.address, pollIntervalMs: 50 },
      { id: 'space-2', unit: 2, profile: 'occupancy-sensor', transport: server.address, pollIntervalMs: 400 },
    ])
    stops.push(async () => {
      for (const a of adapters) await a.stop()
    })
    const from = Date.now()
    await new Promise((r) => setTimeout(r, 1200))
    // One poll reads the lock's holding registers once, and the sensor's discrete input once.
    const lockPolls = model.history.filter((h) => h.unit === 1 && h.fc === 3 && h.at >= from).length
    const sensorPolls = model.history.filter((h) => h.unit === 2 && h.fc === 2 && h.at >= from).length
    expect(lockPolls).toBeGreaterThanOrEqual(15)
    expect(sensorPolls).toBeGreaterThanOrEqual(2)
    expect(sensorPolls).toBeLessThanOrEqual(4)
  })
})
