import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { OnvifCameraAdapter } from '../../../adapters/onvif/adapter.js'
import { OnvifDeviceSchema, type OnvifDeviceConfig, type OnvifDeviceInput } from '../../../adapters/onvif/config.js'
import { startCamera, type CameraSim } from '../../../simulators/camera/wire.js'
import { recordingContext } from './context.js'

/**
 * One simulated camera and one adapter reading it over real HTTP, with short timings; registers
 * the hooks that stop both and remove the snapshot directory after each test.
 */
export function useCameraAdapter() {
  const state = { dir: '' }
  const cleanup: Array<() => Promise<void>> = []
  beforeEach(async () => {
    state.dir = await mkdtemp(join(tmpdir(), 'pingan-onvif-'))
  })
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f()
    await rm(state.dir, { recursive: true, force: true })
  })

  function config(cam: CameraSim, over: Partial<OnvifDeviceInput> = {}): OnvifDeviceConfig {
    return OnvifDeviceSchema.parse({
      id: cam.id,
      adapter: 'onvif',
      address: `127.0.0.1:${cam.port}`,
      username: 'admin',
      password: 'cam-pw-1',
      pullTimeoutMs: 1000,
      requestTimeoutMs: 1000,
      pingIntervalMs: 300,
      motionHoldMs: 300,
      backoff: { initialMs: 50, maxMs: 300 },
      supervisionMs: 3000,
      snapshot: { dir: join(state.dir, 'snapshots') },
      ...over,
    })
  }

  /** `over` may be a function of the camera, for settings that need its port. */
  async function setup(
    camOpts: Partial<Parameters<typeof startCamera>[0]> = {},
    over: Partial<OnvifDeviceInput> | ((cam: CameraSim) => Partial<OnvifDeviceInput>) = {},
    tweak: Partial<OnvifDeviceConfig> = {},
  ) {
    const cam = await startCamera({ id: 'cam-gate-1', username: 'admin', password: 'cam-pw-1', ...camOpts })
    const rec = recordingContext()
    const cfg = { ...config(cam, typeof over === 'function' ? over(cam) : over), ...tweak }
    const adapter = new OnvifCameraAdapter(cfg, rec.ctx)
    await adapter.start()
    cleanup.push(() => cam.stop())
    cleanup.push(() => adapter.stop())
    return { cam, rec, adapter, cfg }
  }

  return { setup, dir: () => state.dir }
}

/** True once the camera has a subscription and has served a pull. */
export const subscribed = (cam: CameraSim) => () => (cam.model.subscriptions.size > 0 && cam.stats.pulls > 0) || undefined
