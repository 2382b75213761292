import { afterEach, describe, expect, it } from 'vitest'
import { DeviceSchema } from '../../../config/devices.js'
import { startDemo } from '../../../simulators/alarm-receiver/demo.js'
import { startHarness } from '../../helpers/harness.js'
import { captureLog } from '../../helpers/logs.js'
import { DEADLINE_MS } from './support.js'

describe('alarm receiver demo', { timeout: 4 * DEADLINE_MS }, () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('returns a valid device config that brings the receiver online in a real gateway', async () => {
    const demo = await startDemo({ log: captureLog().log, dir: '/tmp' })
    cleanup.push(() => demo.stop())
    for (const d of demo.devices) expect(DeviceSchema.safeParse(d).success).toBe(true)
    const h = await startHarness({ devices: demo.devices })
    cleanup.push(() => h.stop())
    const online = await h.platform.waitForEvent((e) => e.device === 'alarm-receiver-1' && e.type === 'device.online', DEADLINE_MS)
    expect(online).toMatchObject({ kind: 'alarm', building: 'guard room', grid: 'G-01' })
  })
})
