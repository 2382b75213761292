import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayEvent } from '../../../base/events/event.js'
import { DEVICE, startOsdpRig, type OsdpRig } from './setup.js'

let rig: OsdpRig
const waitFor = (type: string, pred: (e: GatewayEvent) => boolean = () => true, ms = 5000) =>
  rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === type && e.zone === 'lobby' && pred(e), ms)

beforeAll(async () => {
  rig = await startOsdpRig([{ address: 0 }], { readers: [{ address: 0, door: 'lobby' }], reconnectIntervalMs: 500 })
  await waitFor('device.online')
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp with the serial adapter pulled and put back', () => {
  it('the reader goes offline within about 8 s of the port vanishing and comes back after it returns', async () => {
    const t = Date.now()
    await rig.pair.unplug()
    const off = await waitFor('device.offline', () => true, 12_000)
    expect(Date.parse(off.receivedAt)).toBeGreaterThan(t)
    await rig.pair.replug()
    await waitFor('device.online', (e) => Date.parse(e.receivedAt) > Date.parse(off.receivedAt), 8000)
    rig.model.swipe(0, 'H10306', 12, 34)
    await waitFor('credential', (e) => e.attrs['card'] === '34')
  }, 25_000)
})
