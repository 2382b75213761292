import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { harnessConfig } from '../../helpers/harness.js'
import { captureLog, type CapturedLog } from '../../helpers/logs.js'
import { startGateway, type Gateway } from '../../../gateway/main.js'
import { Dc09UplinkSchema } from '../../../cloud-bridge/uplinks/dc09/config.js'
import { startPlatformSim, type PlatformSim } from '../../../simulators/platform/platform.js'
import { UPLINK_USER } from '../../helpers/harness.js'
import type { CentreSim } from '../../../simulators/alarm-centre/wire.js'

export const DEVICES = [
  { id: 'panel-1', adapter: 'mqtt-ingest', kind: 'alarm', name: 'Panel 1' },
  { id: 'gate-3', adapter: 'mqtt-ingest', kind: 'access', name: 'Gate 3' },
  { id: 'cam-1', adapter: 'mqtt-ingest', kind: 'camera', name: 'Camera 1' },
  { id: 'lock-7', adapter: 'mqtt-ingest', kind: 'parking', name: 'Lock 7' },
]

/** A receiver entry for the dc09 uplink config pointing at a simulator. */
export function receiverOf(c: CentreSim, over: Record<string, unknown> = {}): Record<string, unknown> {
  const udp = over['transport'] === 'udp'
  return { host: c.host, port: udp ? c.udpPort : c.tcpPort, receiverNumber: '1', lineNumber: '1', ...over }
}

export interface Dc09Gateway {
  gateway: Gateway
  logs: CapturedLog
  dir: string
  platform: PlatformSim | undefined
  stop(): Promise<void>
}

/** A real gateway (SQLite in a temp dir) with a dc09 uplink, and the MQTT uplink too when `withPlatform`. */
export async function startDc09Gateway(uplink: Record<string, unknown>, opts: { withPlatform?: boolean; dir?: string } = {}): Promise<Dc09Gateway> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'pingan-dc09-'))
  const platform = opts.withPlatform ? await startPlatformSim({ users: [UPLINK_USER] }) : undefined
  const config = harnessConfig(dir, platform?.url ?? 'mqtt://127.0.0.1:1', { devices: DEVICES, noUplink: !platform })
  config.uplinks.push(
    Dc09UplinkSchema.parse({
      id: 'arc',
      type: 'dc09',
      account: '1234',
      ackTimeoutMs: 300,
      retries: 1,
      retryDownMs: 100,
      testReportMs: 0,
      route: { maxPriority: 4 },
      ...uplink,
    }),
  )
  const logs = captureLog()
  const gateway = await startGateway(config, { log: logs.log })
  return {
    gateway,
    logs,
    dir,
    platform,
    async stop() {
      await gateway.stop()
      await platform?.close()
      if (!opts.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Waits (for events, polled) until `cond` holds; fails naming `what` after a generous deadline. */
export async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
