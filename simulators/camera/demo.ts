import { join } from 'node:path'
import type { DeviceConfig } from '../../config/devices.js'
import type { Logger } from '../../base/log.js'
import { OnvifDeviceSchema } from '../../adapters/onvif/config.js'
import { streetLife } from './script.js'
import { startCamera } from './wire.js'

/**
 * The demo's cameras: the north gate (a forced door at the intercom there takes its snapshot) and
 * the car park ramp (a fire alarm from the basement panel takes its snapshot).
 */
const CAMERAS = [
  { id: 'cam-gate-north', name: 'North gate camera', area: 'North gate', linkage: [{ device: 'intercom-north' }], skewMs: 0 },
  // This one's clock is two hours off, as cameras nobody set up often are: the gateway copes.
  { id: 'cam-ramp-b1', name: 'Car park ramp camera', area: 'B1 ramp', linkage: [{ device: 'fire-panel-b3' }], skewMs: 2 * 3600_000 },
]
const USER = 'admin'
const PASSWORD = 'demo-camera-pw'

/**
 * Starts two simulated ONVIF cameras on loopback with seeded random motion and line crossings,
 * and returns their device configs. Snapshots go to `<dir>/snapshots`, beside the journal.
 */
export async function startDemo(opts: { log: Logger; dir: string }): Promise<{ devices: DeviceConfig[]; stop(): Promise<void> }> {
  const cams = await Promise.all(CAMERAS.map((c, i) => startCamera({ id: c.id, username: USER, password: PASSWORD, skewMs: c.skewMs, seed: 2026 + i })))
  const stopScenes = streetLife(cams, 30_000, 2026)
  for (const c of cams) opts.log.info({ camera: c.id, url: c.deviceUrl }, 'camera simulator listening')
  const devices = CAMERAS.map((c, i) =>
    OnvifDeviceSchema.parse({
      id: c.id,
      name: c.name,
      adapter: 'onvif',
      location: { area: c.area },
      address: `127.0.0.1:${cams[i]!.port}`,
      username: USER,
      password: PASSWORD,
      supervisionMs: 30_000,
      snapshot: { dir: join(opts.dir, 'snapshots'), maxBytes: 16 * 1024 * 1024 },
      linkage: c.linkage,
    }),
  )
  return {
    devices,
    async stop() {
      stopScenes()
      await Promise.all(cams.map((c) => c.stop()))
    },
  }
}
