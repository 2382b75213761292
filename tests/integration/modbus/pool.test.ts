import { describe, expect, it } from 'vitest'
import { ModbusDeviceSchema } from '../../../adapters/modbus/config.js'
import { createModbusDefinition } from '../../../adapters/modbus/index.js'
import { captureLog } from '../../helpers/logs.js'
import { recorder } from './context.js'

describe('units sharing a bus', () => {
  it('a unit naming the same port with other line settings stays offline, naming both', async () => {
    const logs = captureLog()
    const def = createModbusDefinition()
    const dev = (id: string, baudRate: number, frameSilenceMs?: number) =>
      ModbusDeviceSchema.parse({
        id,
        adapter: 'modbus',
        kind: 'parking',
        unit: 1,
        profile: 'parking-lock',
        transport: { path: '/dev/pingan-no-such-port', baudRate },
        ...(frameSilenceMs ? { frameSilenceMs } : {}),
      })
    const a = recorder('lock-a', logs)
    const b = recorder('lock-b', logs)
    const c = recorder('lock-c', logs)
    const first = def.create!(dev('lock-a', 9600), a.ctx)
    const second = def.create!(dev('lock-b', 19_200), b.ctx)
    const third = def.create!(dev('lock-c', 9600, 20), c.ctx)
    await first.start()
    await second.start()
    await third.start()
    expect(b.state).toMatchObject({
      online: false,
      reason: expect.stringMatching(/lock-b names \/dev\/pingan-no-such-port as .*19200 8N1, but lock-a opened it as .*9600 8N1/),
    })
    expect(c.state).toMatchObject({ online: false, reason: expect.stringMatching(/frame silence 20 ms/) })
    expect(logs.find('cannot use the bus').length).toBe(2)
    await Promise.all([first.stop(), second.stop(), third.stop()])
  })
})
