import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayEvent } from '../../../base/events/event.js'
import { DEVICE, startOsdpRig, type OsdpRig } from './setup.js'

let rig: OsdpRig
const waitFor = (type: string, door: string, pred: (e: GatewayEvent) => boolean = () => true, ms = 5000) =>
  rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === type && e.zone === door && pred(e), ms)

beforeAll(async () => {
  rig = await startOsdpRig([{ address: 0 }, { address: 2 }], {
    readers: [
      { address: 0, door: 'lobby' },
      { address: 2, door: 'bike-store', name: 'Bike store' },
    ],
    reconnectIntervalMs: 500,
  })
  await waitFor('device.online', 'lobby')
  await waitFor('device.online', 'bike-store')
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp reader supervision over a PTY', () => {
  it('a silent reader goes offline within about 8 s and comes back; its neighbour is untouched', async () => {
    const t = Date.now()
    rig.model.silence(2, t, 9500)
    const off = await waitFor('device.offline', 'bike-store', () => true, 12_000)
    const offAfter = Date.parse(off.receivedAt) - t
    expect(offAfter).toBeGreaterThanOrEqual(7800)
    expect(off).toMatchObject({ priority: 3, attrs: { door: 'Bike store', reader: 2 } })
    // Not sooner than the silence allowed; how soon after is timed in virtual time (pd-link.test.ts).
    const on = await waitFor('device.online', 'bike-store', (e) => Date.parse(e.receivedAt) > t, 8000)
    expect(Date.parse(on.receivedAt) - t).toBeGreaterThan(9400)
    // The neighbour was polled all along: a swipe there during the outage was reported.
    expect(rig.h.platform.events.some((e) => e.zone === 'lobby' && e.type === 'device.offline')).toBe(false)
    rig.model.swipe(0, 'H10301', 1, 1)
    await waitFor('credential', 'lobby')
  }, 20_000)
})
