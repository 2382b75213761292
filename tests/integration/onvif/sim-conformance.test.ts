import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import { startCamera, type CameraSim } from '../../../simulators/camera/wire.js'

/**
 * The simulator checked with a third-party ONVIF client (the `onvif` package), so the adapter and
 * the simulator cannot agree on a mistake between themselves.
 */
const require = createRequire(import.meta.url)
// biome-ignore lint/suspicious/noExplicitAny: the `onvif` package ships no types; the test calls it through `call()` below
const { Cam } = require('onvif') as { Cam: any }

type Callback<T> = (err: Error | null, data: T) => void
function call<T>(cam: unknown, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const cb: Callback<T> = (err, data) => (err ? reject(err) : resolve(data))
    ;(cam as Record<string, (...a: unknown[]) => void>)[method]!(...args, cb)
  })
}

let sim: CameraSim | undefined
afterEach(async () => {
  await sim?.stop()
  sim = undefined
})

async function connect(opts: Parameters<typeof startCamera>[0], password = 'pw-1'): Promise<unknown> {
  sim = await startCamera(opts)
  const cam = new Cam({ hostname: '127.0.0.1', port: sim.port, username: 'admin', password, path: '/onvif/device_service', autoconnect: false, timeout: 3000 })
  await call(cam, 'connect')
  return cam
}

describe('camera simulator with the onvif package as client', () => {
  it('connects (clock, services, profiles), identifies itself and gives a snapshot URI', async () => {
    const cam = await connect({ id: 'cam-x', password: 'pw-1', skewMs: 2 * 3600_000 })
    const info = await call<{ manufacturer: string; model: string }>(cam, 'getDeviceInformation')
    expect(info).toMatchObject({ manufacturer: 'Pingan Sim', model: 'SIM-IPC-2000' })
    const uri = await call<{ uri: string }>(cam, 'getSnapshotUri', { profileToken: 'Profile_1' })
    expect(uri.uri).toBe(`${sim!.base}/snapshot/Profile_1.jpg`)
    expect(sim!.stats.authFailures).toBe(0)
  })

  it('serves a pull point: Initialized state, then a Changed motion message', async () => {
    const cam = await connect({ id: 'cam-y', password: 'pw-1', strictAddressing: false })
    await call(cam, 'createPullPointSubscription')
    const initial = await call<{ notificationMessage: unknown[] }>(cam, 'pullMessages', { timeout: 'PT1S', messageLimit: 10 })
    expect(JSON.stringify(initial)).toContain('Initialized')
    setTimeout(() => sim!.motion(true), 100)
    const changed = await call<unknown>(cam, 'pullMessages', { timeout: 'PT5S', messageLimit: 10 })
    expect(JSON.stringify(changed)).toContain('CellMotionDetector')
    expect(JSON.stringify(changed)).toContain('Changed')
  })

  it("refuses the package's Renew without wsa:MessageID when strict, as strict cameras do", async () => {
    const cam = await connect({ id: 'cam-z', password: 'pw-1' })
    await call(cam, 'createPullPointSubscription')
    await expect(call(cam, 'renew', {})).rejects.toThrow()
    expect(sim!.stats.addressingFaults).toBe(1)
  })

  it('refuses a wrong password', async () => {
    sim = await startCamera({ id: 'cam-w', password: 'pw-1' })
    const cam = new Cam({
      hostname: '127.0.0.1',
      port: sim.port,
      username: 'admin',
      password: 'wrong',
      path: '/onvif/device_service',
      autoconnect: false,
      timeout: 3000,
    })
    await call(cam, 'getSystemDateAndTime')
    await expect(call(cam, 'getDeviceInformation')).rejects.toThrow()
    expect(sim.stats.authFailures).toBe(1)
  })
})
