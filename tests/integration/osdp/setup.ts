import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { OsdpDeviceInput } from '../../../adapters/osdp/config.js'
import { createLogger } from '../../../base/log.js'
import { AccessBusModel, type SimReaderConfig } from '../../../simulators/access-reader/model.js'
import { serveSerial, type RunningWire } from '../../../simulators/access-reader/wire.js'
import { startHarness, type Harness } from '../../helpers/harness.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'

export const DEVICE = 'osdp-bus-1'

/**
 * Waits until `check` holds on the simulated readers (their state follows the bus a few ms
 * behind the events); the time limit only bounds a failing test.
 */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const t = Date.now()
  while (!check()) {
    if (Date.now() - t > ms) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

export interface OsdpRig {
  pair: PtyPair
  model: AccessBusModel
  sim: RunningWire
  h: Harness
  dir: string
  keyStorePath: string
  stop(): Promise<void>
}

/**
 * The simulated readers on one end of a socat PTY pair, the whole gateway (broker, journal,
 * uplink) on the other, forwarding to the platform simulator.
 */
export async function startOsdpRig(readers: SimReaderConfig[], device: Omit<OsdpDeviceInput, 'id' | 'adapter' | 'transport' | 'kind'>): Promise<OsdpRig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pingan-osdp-'))
  const keyStorePath = path.join(dir, 'osdp-keys.json')
  const pair = await startPtyPair()
  const model = new AccessBusModel({ seed: 11, readers })
  const sim = await serveSerial({ model, path: pair.b, log: createLogger({ level: 'silent' }) })
  const h = await startHarness({
    dir,
    devices: [
      {
        id: DEVICE,
        adapter: 'osdp',
        kind: 'access',
        location: { building: 'B1' },
        transport: { path: pair.a, baudRate: 115200, backoff: { initialMs: 50, maxMs: 200 } },
        keyStorePath,
        ...device,
      },
    ],
  })
  return {
    pair,
    model,
    sim,
    h,
    dir,
    keyStorePath,
    async stop() {
      await h.stop()
      await sim.close()
      await pair.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
