import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ReceiverModel, type SimEvent } from '../../../simulators/alarm-receiver/model.js'
import { serveTcp as serveReceiver } from '../../../simulators/alarm-receiver/wire.js'
import { AccessBusModel } from '../../../simulators/access-reader/model.js'
import { serveTcp as serveAccess } from '../../../simulators/access-reader/wire.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { serveTcp as serveParking } from '../../../simulators/parking-lock/wire.js'
import { startCentreSim, type CentreSim } from '../../../simulators/alarm-centre/wire.js'
import { startPlatformSim, type PlatformSim } from '../../../simulators/platform/platform.js'
import { Dc09UplinkSchema } from '../../../cloud-bridge/uplinks/dc09/config.js'
import { startGateway, type Gateway } from '../../../gateway/main.js'
import type { TimerHandle, Timers } from '../../../base/timers.js'
import { harnessConfig, UPLINK_USER } from '../../helpers/harness.js'
import { captureLog, type CapturedLog } from '../../helpers/logs.js'

export const INSTALLER_TOKEN = 'walk-test-installer-token-0001'
export const OPERATOR_TOKEN = 'walk-test-operator-token-00001'
const ARC_KEY = '000102030405060708090A0B0C0D0E0F'

/** Real time, but the timeouts the walk tests set wait until the test fires them (their time limit). */
export class HeldTimers implements Timers {
  private readonly held = new Map<number, () => void>()
  private seq = 0
  now = (): number => Date.now()
  setTimeout(fn: () => void, _ms: number): TimerHandle {
    this.held.set(++this.seq, fn)
    return this.seq
  }
  clearTimeout(h: TimerHandle): void {
    this.held.delete(h as number)
  }
  /** Runs the earliest timer still set (a walk test's time limit is set first). */
  fireFirst(): void {
    const [id, fn] = [...this.held][0] ?? []
    if (id === undefined || !fn) throw new Error('no walk test timer is set')
    this.held.delete(id)
    fn()
  }
}

export interface Site {
  gateway: Gateway
  platform: PlatformSim
  centre: CentreSim
  receiver: { model: ReceiverModel; send(...e: SimEvent[]): void }
  access: AccessBusModel
  parking: ParkingBusModel
  timers: HeldTimers
  logs: CapturedLog
  dir: string
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<Response>
  stop(): Promise<void>
}

/**
 * A compound over real ports: an alarm receiver (Contact ID over TCP), an OSDP reader bus, a
 * Modbus parking lock, a platform (MQTT) and an alarm-receiving centre (DC-09, AES) as uplinks.
 */
export async function startSite(): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-walktest-'))
  const silent = captureLog('warn').log
  const model = new ReceiverModel({ heartbeatMs: 400, ackTimeoutMs: 1000 }, Date.now())
  const rx = await serveReceiver(model, { log: silent })
  const access = new AccessBusModel({ seed: 3, readers: [{ address: 0 }] })
  const accessWire = await serveAccess({ model: access, log: silent })
  const parking = new ParkingBusModel([{ unit: 1, type: 'lock' }], { now: () => Date.now(), seed: 3, travelMs: 300 })
  const parkingWire = await serveParking(parking, { log: silent })
  const motor = setInterval(() => parking.advance(), 50)
  const platform = await startPlatformSim({ users: [UPLINK_USER] })
  const centre = await startCentreSim({ keys: { D209: Buffer.from(ARC_KEY, 'hex') } })
  const config = harnessConfig(dir, platform.url, {
    devices: [
      {
        id: 'alarm-rx',
        adapter: 'contact-id',
        name: 'Guard room receiver',
        transport: { url: rx.address, reconnectMinMs: 50, reconnectMaxMs: 200 },
        zones: { 15: { name: 'north fence beam' }, 9: { name: 'kitchen smoke', type: 'fire' } },
      },
      {
        id: 'doors',
        adapter: 'osdp',
        transport: { url: `tcp://127.0.0.1:${accessWire.port}`, reconnectMinMs: 50, reconnectMaxMs: 200 },
        readers: [{ address: 0, door: 'main-gate', name: 'Main gate' }],
      },
      {
        id: 'lock-1',
        adapter: 'modbus',
        kind: 'parking',
        name: 'Lock B1-01',
        transport: { url: parkingWire.address, reconnectMinMs: 50, reconnectMaxMs: 200 },
        unit: 1,
        profile: 'parking-lock',
        pollIntervalMs: 100,
      },
    ],
  })
  config.api.tokens.push({ token: INSTALLER_TOKEN, role: 'installer' }, OPERATOR_TOKEN)
  config.uplinks.push(
    Dc09UplinkSchema.parse({
      id: 'arc',
      type: 'dc09',
      account: 'D209',
      route: { maxPriority: 2 },
      paths: [{ name: 'wired', receivers: [{ host: centre.host, port: centre.tcpPort, keyHex: ARC_KEY }] }],
    }),
  )
  const logs = captureLog()
  const timers = new HeldTimers()
  const gateway = await startGateway(config, { log: logs.log, walktestTimers: timers })
  const base = `http://127.0.0.1:${gateway.apiPort}/api/v1`
  return {
    gateway,
    platform,
    centre,
    access,
    parking,
    timers,
    logs,
    dir,
    receiver: {
      model,
      send: (...e) => {
        model.enqueue(...e)
        rx.poke()
      },
    },
    api: (path, init = {}) => {
      const token = init.token === undefined ? INSTALLER_TOKEN : init.token
      return fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      })
    },
    async stop() {
      clearInterval(motor)
      await gateway.stop()
      await Promise.allSettled([rx.close(), accessWire.close(), parkingWire.close(), platform.close(), centre.close()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
