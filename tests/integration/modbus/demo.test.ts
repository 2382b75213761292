import { afterAll, describe, expect, it } from 'vitest'
import { createModbusDefinition } from '../../../adapters/modbus/index.js'
import { DeviceSchema } from '../../../config/devices.js'
import type { Adapter } from '../../../adapters/types.js'
import type { ModbusDeviceConfig } from '../../../adapters/modbus/config.js'
import { control } from '../../../simulators/parking-lock/cli.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { startDemo } from '../../../simulators/parking-lock/demo.js'
import { captureLog } from '../../helpers/logs.js'
import { recorder } from './context.js'

describe('parking simulator demo', () => {
  const stops: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const s of stops.reverse()) await s()
  })

  it('returns device configs the schema accepts, and every unit answers on them', async () => {
    const logs = captureLog()
    const demo = await startDemo({ log: logs.log, dir: '/tmp' })
    stops.push(() => demo.stop())
    expect(demo.devices.map((d) => d.id)).toEqual(['parking-lock-b1-01', 'parking-lock-b1-02', 'parking-space-b1-03', 'parking-space-b1-04'])
    const def = createModbusDefinition()
    const adapters: Adapter[] = []
    stops.push(async () => {
      for (const a of adapters) await a.stop()
    })
    const recs = demo.devices.map((d) => {
      const parsed = DeviceSchema.parse(d) as ModbusDeviceConfig
      expect(parsed.location).toMatchObject({ building: 'B1' })
      const r = recorder(d.id, logs)
      const a = def.create!(parsed, r.ctx)
      adapters.push(a)
      void a.start()
      return r
    })
    await Promise.all(recs.map((r) => r.waitState((s) => s.online === true, 5000)))
  })
})

describe('parking simulator console commands', () => {
  const model = new ParkingBusModel(
    [
      { unit: 1, type: 'lock' },
      { unit: 3, type: 'sensor' },
    ],
    { now: () => 0 },
  )

  it.each([
    [['vehicle', '3', 'on'], 'unit 3: vehicle present'],
    [['jam', '1'], 'unit 1: next move jams'],
    [['battery', '1', '10.5'], 'unit 1: battery 10.5 V'],
    [['silent', '1', 'on'], 'unit 1: silent'],
    [['exception', '3', '4'], 'unit 3: next request gets exception 4'],
    [['crc', '2'], 'next 2 replies corrupted'],
    [['slow', '1', '350'], 'unit 1: answers after 350 ms'],
  ])('%j', (args, out) => {
    expect(control(model, args)).toBe(out)
  })

  it('applies them to the model', () => {
    expect(model.sensor(3).vehiclePresent()).toBe(true)
    expect(model.lock(1)).toMatchObject({ jamNext: true, batteryCv: 1050 })
    expect(model.replyDelayOf(1)).toBe(350)
    expect(() => control(model, ['fly'])).toThrow(/unknown command/)
    expect(() => control(model, ['jam', '3'])).toThrow(/not a lock/)
  })
})
