import type { DeviceConfig } from '../../config/devices.js'
import type { Logger } from '../../base/log.js'
import { ReceiverModel } from './model.js'
import { serveTcp } from './wire.js'

/**
 * Starts a receiver behind a loopback "device server" with seeded random panel traffic from two
 * panels, and returns the device config that reads it, zones named as on the compound's plan.
 */
export async function startDemo(opts: { log: Logger; dir: string }): Promise<{ devices: DeviceConfig[]; stop(): Promise<void> }> {
  const model = new ReceiverModel(
    {
      seed: 2026,
      heartbeatMs: 10_000,
      noiseRate: 0.02,
      randomEvents: { meanIntervalMs: 8000, accounts: ['1234', '5678'], zones: ['001', '002', '015'] },
    },
    Date.now(),
  )
  const sim = await serveTcp(model, { log: opts.log.child({ simulator: 'alarm-receiver' }) })
  opts.log.info({ address: sim.address }, 'alarm receiver simulator listening')
  const device: DeviceConfig = {
    id: 'alarm-receiver-1',
    name: 'Guard room alarm receiver',
    adapter: 'contact-id',
    kind: 'alarm',
    location: { grid: 'G-01', building: 'guard room' },
    transport: { url: sim.address, connectTimeoutMs: 5000, backoff: { initialMs: 500, maxMs: 30_000 } },
    supervisionMs: 35_000,
    dedupeWindowMs: 60_000,
    maxFrameBytes: 256,
    zones: {
      '001': { name: 'front door contact', location: { building: '2', unit: '2-101' } },
      '002': { name: 'lobby PIR', location: { building: '2', area: 'lobby' } },
      '015': { name: 'infrared beam, north fence', location: { building: '3', area: 'north fence' } },
    },
    accounts: {
      '5678': {
        name: 'Building 5 panel',
        location: { building: '5' },
        zones: { '015': { name: 'infrared beam, east wall', location: { area: 'east wall' } } },
      },
    },
    codes: {},
  }
  return { devices: [device], stop: () => sim.close() }
}
