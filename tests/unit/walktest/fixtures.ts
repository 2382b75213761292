import { DeviceSchema, type DeviceConfig } from '../../../config/devices.js'
import type { GatewayEvent } from '../../../base/events/event.js'
import { defaultPriority, type Kind } from '../../../base/events/types.js'

/** A site with one of each: a receiver (a fire zone among its zones), a door bus, a lock, a space sensor, a camera, a producer. */
export function siteDevices(): DeviceConfig[] {
  return [
    {
      id: 'alarm-rx',
      adapter: 'contact-id',
      name: 'Guard room receiver',
      transport: { url: 'tcp://127.0.0.1:1' },
      zones: { 15: { name: 'north fence beam' }, 2: { name: 'lobby PIR' }, 9: { name: 'kitchen smoke', type: 'fire' } },
      accounts: { 5678: { name: 'Building 5', zones: { 15: { name: 'east wall beam' } } } },
    },
    {
      id: 'doors',
      adapter: 'osdp',
      transport: { url: 'tcp://127.0.0.1:2' },
      readers: [
        { address: 0, door: 'main-gate', name: 'Main gate', contactInput: 0 },
        { address: 1, door: 'block-a' },
      ],
    },
    { id: 'lock-1', adapter: 'modbus', kind: 'parking', name: 'Lock B1-01', transport: { url: 'tcp://127.0.0.1:3' }, unit: 1, profile: 'parking-lock' },
    { id: 'space-3', adapter: 'modbus', kind: 'parking', transport: { url: 'tcp://127.0.0.1:3' }, unit: 3, profile: 'occupancy-sensor' },
    { id: 'cam-1', adapter: 'onvif', name: 'Gate camera', address: '127.0.0.1:4', username: 'u', password: 'p' },
    { id: 'intercom', adapter: 'mqtt-ingest', kind: 'access' },
  ].map((d) => DeviceSchema.parse(d))
}

let seq = 0
const KIND_OF: Record<string, Kind> = { 'alarm-rx': 'alarm', doors: 'access', 'lock-1': 'parking', 'cam-1': 'camera', intercom: 'access' }

/** A committed event as the fan-out hands it on (receivedAt from `at`). */
export function committed(device: string, type: string, extra: Partial<GatewayEvent> = {}, at = 0): GatewayEvent {
  const kind = KIND_OF[device] ?? 'gateway'
  seq++
  return {
    id: `00000000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    site: 'lotus',
    device,
    kind,
    type,
    priority: defaultPriority(kind, type) ?? 4,
    receivedAt: new Date(at).toISOString(),
    attrs: {},
    ...extra,
  }
}

/** A Contact ID zone event as the adapter decodes it (zone number and qualifier in attrs). */
export function cid(type: string, zone: string, qualifier: 'new' | 'restore', account = '1234', at = 0): GatewayEvent {
  return committed('alarm-rx', type, { zone: `zone ${zone}`, attrs: { account, zone, qualifier, code: '130' } }, at)
}
