import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ContactIdDeviceSchema } from '../../adapters/contact-id/config.js'
import { ModbusDeviceSchema } from '../../adapters/modbus/config.js'
import { OnvifDeviceSchema } from '../../adapters/onvif/config.js'
import { OsdpDeviceSchema } from '../../adapters/osdp/config.js'
import { createLogger } from '../../base/log.js'
import { AccessBusModel } from '../../simulators/access-reader/model.js'
import { serveTcp as serveReader } from '../../simulators/access-reader/wire.js'
import { ReceiverModel, type SimEvent } from '../../simulators/alarm-receiver/model.js'
import { serveTcp as serveReceiver, type ReceiverPort } from '../../simulators/alarm-receiver/wire.js'
import { type CameraSim, startCamera } from '../../simulators/camera/wire.js'
import { ParkingBusModel } from '../../simulators/parking-lock/model.js'
import { serveTcp as serveBus } from '../../simulators/parking-lock/wire.js'
import { type Harness, startHarness } from '../helpers/harness.js'

/** The console's users in the browser tests (api.users). */
export const INSTALLER = { name: 'installer-1', password: 'installer-secret-1', role: 'installer' } as const
export const VIEWER = { name: 'viewer-1', password: 'viewer-secret-1', role: 'viewer' } as const

/** Device ids of the site. */
export const DEV = { alarm: 'alarm-rx', doors: 'door-bus', lock: 'lock-b1-01', camera: 'cam-gate' } as const
const CARD = 4567

/**
 * A small compound for the console: an alarm receiver, one OSDP reader with its door, one parking
 * lock and one camera, each a simulator on loopback driven only by the test (no random traffic),
 * and a real gateway (harness: aedes and API on port 0, SQLite in a temp dir, a platform sim).
 */
export interface Site {
  h: Harness
  /** http://127.0.0.1:port of the gateway's API and console. */
  base: string
  receiver: ReceiverPort
  access: AccessBusModel
  parking: ParkingBusModel
  camera: CameraSim
  /** A zone's alarm (E) or restore (R), as the panel reports it. */
  zone(qualifier: 'E' | 'R', zone?: string): void
  card(): void
  door(open: boolean): void
  motion(active: boolean): void
  stop(): Promise<void>
}

export async function startSite(): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-console-'))
  const log = createLogger({ level: 'silent' })
  const stops: Array<() => Promise<void>> = []
  try {
    const model = new ReceiverModel({ heartbeatMs: 10_000 }, Date.now())
    const receiver = await serveReceiver(model, { log })
    stops.push(() => receiver.close())
    const access = new AccessBusModel({ seed: 1, readers: [{ address: 0, contactInput: 0, strikeOutput: 0 }] })
    const reader = await serveReader({ model: access, log })
    stops.push(() => reader.close())
    const parking = new ParkingBusModel([{ unit: 1, type: 'lock' }], { now: () => Date.now(), travelMs: 300 })
    const bus = await serveBus(parking, { log })
    const motor = setInterval(() => parking.advance(), 100)
    stops.push(async () => {
      clearInterval(motor)
      await bus.close()
    })
    const camera = await startCamera({ id: DEV.camera, username: 'admin', password: 'camera-pw' })
    stops.push(() => camera.stop())
    const devices = [
      ContactIdDeviceSchema.parse({
        id: DEV.alarm,
        name: 'Guard room alarm receiver',
        adapter: 'contact-id',
        kind: 'alarm',
        location: { building: 'guard room' },
        transport: { url: receiver.address, backoff: { initialMs: 100, maxMs: 1000 } },
        zones: { '001': { name: 'front door contact', location: { building: '2' } } },
      }),
      OsdpDeviceSchema.parse({
        id: DEV.doors,
        name: 'Main gate reader',
        adapter: 'osdp',
        location: { area: 'main gate' },
        transport: { url: `tcp://127.0.0.1:${reader.port}`, backoff: { initialMs: 100, maxMs: 1000 } },
        allowList: [{ card: String(CARD), facility: 123, user: 'resident-0301' }],
        readers: [{ address: 0, door: 'main-gate', name: 'Main gate', contactInput: 0, strikeOutput: 0, strikePulseMs: 2000 }],
      }),
      ModbusDeviceSchema.parse({
        id: DEV.lock,
        name: 'Parking lock B1-01',
        adapter: 'modbus',
        kind: 'parking',
        location: { building: 'B1', area: 'B1-01' },
        transport: { url: bus.address, backoff: { initialMs: 100, maxMs: 1000 } },
        unit: 1,
        profile: 'parking-lock',
        pollIntervalMs: 300,
        responseTimeoutMs: 300,
        commandPollIntervalMs: 100,
      }),
      OnvifDeviceSchema.parse({
        id: DEV.camera,
        name: 'North gate camera',
        adapter: 'onvif',
        location: { area: 'north gate' },
        address: `127.0.0.1:${camera.port}`,
        username: 'admin',
        password: 'camera-pw',
        snapshot: { dir: join(dir, 'snapshots'), maxBytes: 4 * 1024 * 1024 },
      }),
    ]
    const h = await startHarness({ dir, devices, api: { users: [INSTALLER, VIEWER] } })
    stops.push(() => h.stop())
    const zoneEvent = (qualifier: 'E' | 'R', zone: string): SimEvent => ({ account: '1234', qualifier, code: '134', group: '01', zone })
    return {
      h,
      base: `http://127.0.0.1:${h.gateway.apiPort}`,
      receiver,
      access,
      parking,
      camera,
      zone(qualifier, zone = '001') {
        model.enqueue(zoneEvent(qualifier, zone))
        receiver.poke()
      },
      card: () => access.swipe(0, 'H10301', 123, CARD),
      door: (open) => access.setDoor(0, open),
      motion: (active) => camera.model.set('motionAlarm', active),
      async stop() {
        for (const s of stops.reverse()) await s().catch(() => undefined)
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
}
