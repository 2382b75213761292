import { ModbusDeviceSchema } from '../../adapters/modbus/config.js'
import type { DeviceConfig } from '../../config/devices.js'
import type { Logger } from '../../base/log.js'
import { ParkingBusModel, type UnitSpec } from './model.js'
import { serveTcp } from './wire.js'

/** The demo's car park: two locks and two space sensors on one bus behind a device server. */
const UNITS: (UnitSpec & { id: string; area: string })[] = [
  { unit: 1, type: 'lock', id: 'parking-lock-b1-01', area: 'B1-01' },
  { unit: 2, type: 'lock', id: 'parking-lock-b1-02', area: 'B1-02' },
  { unit: 3, type: 'sensor', id: 'parking-space-b1-03', area: 'B1-03' },
  { unit: 4, type: 'sensor', id: 'parking-space-b1-04', area: 'B1-04' },
]

/**
 * Starts the simulated bus on a loopback TCP port (RTU over TCP, as through a serial device
 * server) with seeded random traffic, and returns the device configs that read it.
 */
export async function startDemo(opts: { log: Logger; dir: string }): Promise<{ devices: DeviceConfig[]; stop(): Promise<void> }> {
  const model = new ParkingBusModel(UNITS, { now: () => Date.now(), seed: 2026, travelMs: 3000, traffic: { meanVacantMs: 25_000, meanOccupiedMs: 40_000 } })
  const server = await serveTcp(model, { log: opts.log })
  // The motors and the traffic move on their own between polls.
  const clock = setInterval(() => model.advance(), 250)
  clock.unref()
  // Lock 2's battery runs down over the first minute, so the demo shows battery.low.
  let volts = 11.6
  const drain = setInterval(() => {
    volts = Math.max(10.6, volts - 0.05)
    model.lock(2).setBatteryVolts(volts)
  }, 3000)
  drain.unref()
  // Sensor B1-04 loses power for 25 s every three minutes, so the demo shows device.offline/online.
  const outage = setInterval(() => {
    model.setSilent(4, true)
    setTimeout(() => model.setSilent(4, false), 25_000).unref()
  }, 180_000)
  outage.unref()
  opts.log.info({ address: server.address, units: UNITS.length }, 'parking bus simulator listening')
  const devices = UNITS.map((u) =>
    ModbusDeviceSchema.parse({
      id: u.id,
      name: u.type === 'lock' ? `Parking lock ${u.area}` : `Space sensor ${u.area}`,
      adapter: 'modbus',
      kind: 'parking',
      location: { building: 'B1', area: u.area },
      transport: { url: server.address, connectTimeoutMs: 5000, backoff: { initialMs: 500, maxMs: 30_000 } },
      unit: u.unit,
      profile: u.type === 'lock' ? 'parking-lock' : 'occupancy-sensor',
      pollIntervalMs: 1000,
      responseTimeoutMs: 300,
      retries: 1,
      offlineAfterMisses: 3,
      offlinePollIntervalMs: 5000,
      commandPollIntervalMs: 200,
    }),
  )
  return {
    devices,
    async stop() {
      clearInterval(clock)
      clearInterval(drain)
      clearInterval(outage)
      await server.close()
    },
  }
}
