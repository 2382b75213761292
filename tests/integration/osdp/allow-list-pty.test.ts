import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayEvent } from '../../../base/events/event.js'
import { DEVICE, startOsdpRig, until, type OsdpRig } from './setup.js'

let rig: OsdpRig
const waitFor = (type: string, pred: (e: GatewayEvent) => boolean = () => true, ms = 5000) =>
  rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === type && pred(e), ms)

beforeAll(async () => {
  rig = await startOsdpRig([{ address: 3, contactInput: 0, strikeOutput: 1, outputs: 2 }], {
    readers: [{ address: 3, door: 'gate', name: 'Main gate', contactInput: 0, strikeOutput: 1, strikePulseMs: 2000 }],
    allowList: [{ card: '4567', facility: 123, user: 'resident-0301' }],
  })
  await waitFor('device.online')
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp local allow-list over a PTY', () => {
  it('grants a listed card by itself: access.granted with the user, strike pulsed, LED green', async () => {
    rig.model.swipe(3, 'H10301', 123, 4567)
    await until(() => rig.model.strikeOn(3, Date.now()))
    // The LED command follows the OUT on the bus.
    await until(() => rig.model.pd(3).ledColor(0, Date.now()) === 2)
    const ev = await waitFor('access.granted')
    expect(ev).toMatchObject({ user: 'resident-0301', zone: 'gate', attrs: { card: '4567', facility: 123, door: 'Main gate' } })
    rig.model.setDoor(3, true)
    await waitFor('door.open', (e) => e.attrs['granted'] === true)
    rig.model.setDoor(3, false)
    await waitFor('door.closed')
  })

  it('denies an unknown card: access.denied, red LED and a beep, no strike', async () => {
    await until(() => !rig.model.strikeOn(3, Date.now()), 3000)
    rig.model.swipe(3, 'H10301', 123, 9999)
    const ev = await waitFor('access.denied')
    expect(ev).toMatchObject({ priority: 3, attrs: { card: '9999', reason: 'not on the local allow-list' } })
    await until(() => rig.model.pd(3).buzzer !== undefined)
    expect(rig.model.pd(3).ledColor(0, Date.now())).toBe(1)
    expect(rig.model.strikeOn(3, Date.now())).toBe(false)
    expect(rig.h.platform.events.some((e) => e.type === 'credential')).toBe(false)
  })
})
