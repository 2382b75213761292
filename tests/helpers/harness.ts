import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigSchema, type ConfigInput, type GatewayConfig } from '../../config/schema.js'
import type { DeviceConfig } from '../../config/devices.js'
import { startGateway, type Gateway } from '../../gateway/main.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import { captureLog, type CapturedLog } from './logs.js'

export const SITE = 'test-site'
export const UPLINK_USER = { username: 'test-site', password: 'uplink-secret-1' }
export const PRODUCER = { username: 'producer-1', password: 'producer-secret-1' }
export const OBSERVER = { username: 'observer-1', password: 'observer-secret-1' }
export const OPERATOR = { username: 'operator-1', password: 'operator-secret-1' }
export const API_TOKEN = 'test-api-token-0123456789'

export interface HarnessOptions {
  /** Device configs (input form: defaults are filled in by the schema). */
  devices?: Array<DeviceConfig | Record<string, unknown>>
  /** mqtt-ingest device ids the producer user may publish for. */
  producerDevices?: string[]
  /** Merged over the journal section. */
  journal?: Partial<GatewayConfig['journal']>
  /** Merged over the uplink section. */
  uplink?: Record<string, unknown>
  /** Use an existing platform (e.g. across a gateway restart). */
  platform?: PlatformSim
  /** Reuse a directory (journal survives a restart). */
  dir?: string
  /** Start no uplink at all. */
  noUplink?: boolean
  /** Merged over the api section (e.g. `users` for console logins). */
  api?: Record<string, unknown>
}

export interface Harness {
  gateway: Gateway
  platform: PlatformSim
  config: GatewayConfig
  dir: string
  logs: CapturedLog
  brokerUrl: string
  /** Stops the gateway (and the platform and dir unless they were passed in). */
  stop(): Promise<void>
}

export function harnessConfig(dir: string, platformUrl: string, opts: HarnessOptions = {}): GatewayConfig {
  const devices = (opts.devices ?? []) as Array<Record<string, unknown>>
  const producerDevices = opts.producerDevices ?? devices.filter((d) => d['adapter'] === 'mqtt-ingest').map((d) => String(d['id']))
  const users: Array<Record<string, unknown>> = [
    { ...OBSERVER, role: 'observer' },
    { ...OPERATOR, role: 'operator' },
  ]
  if (producerDevices.length > 0) users.push({ ...PRODUCER, role: 'producer', devices: producerDevices })
  const input = {
    version: 1,
    site: { id: SITE, name: 'Test compound', grid: 'G-01' },
    broker: { host: '127.0.0.1', port: 0, users },
    api: { host: '127.0.0.1', port: 0, tokens: [API_TOKEN], ...opts.api },
    journal: { path: join(dir, 'journal.db'), spareBytes: 0, ...opts.journal },
    uplinks: opts.noUplink
      ? []
      : [
          {
            id: 'platform',
            type: 'mqtt',
            url: platformUrl,
            allowPlaintext: true,
            username: UPLINK_USER.username,
            password: UPLINK_USER.password,
            keepaliveSec: 5,
            backoff: { initialMs: 50, maxMs: 500 },
            statusIntervalMs: 500,
            ...opts.uplink,
          },
        ],
    devices,
    log: { level: 'debug' },
  } as ConfigInput
  return ConfigSchema.parse(input)
}

/** A real gateway (aedes on port 0, SQLite in a temp dir) forwarding to a real platform simulator. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'pingan-'))
  const platform = opts.platform ?? (await startPlatformSim({ users: [UPLINK_USER] }))
  const config = harnessConfig(dir, platform.url, opts)
  const logs = captureLog()
  const gateway = await startGateway(config, { log: logs.log })
  return {
    gateway,
    platform,
    config,
    dir,
    logs,
    brokerUrl: `mqtt://127.0.0.1:${gateway.brokerPort}`,
    async stop() {
      await gateway.stop()
      if (!opts.platform) await platform.close()
      if (!opts.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
