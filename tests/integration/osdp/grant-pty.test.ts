import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayEvent } from '../../../base/events/event.js'
import { SITE } from '../../helpers/harness.js'
import { DEVICE, startOsdpRig, type OsdpRig } from './setup.js'

let rig: OsdpRig
let n = 0
const send = (action: string) => rig.h.platform.sendCommand(SITE, DEVICE, { id: `grant-cmd-${++n}`, action, params: { door: 'gate' } }, 5000)
const waitFor = (type: string, pred: (e: GatewayEvent) => boolean = () => true) =>
  rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === type && e.zone === 'gate' && pred(e), 5000)
const after = (t: number) => (e: GatewayEvent) => Date.parse(e.receivedAt) >= t

/** Opens and closes the door; returns the opening as the platform saw it. */
async function walkThrough(): Promise<{ open: GatewayEvent; forced: boolean }> {
  const t = Date.now()
  rig.model.setDoor(0, true)
  const open = await waitFor('door.open', after(t))
  rig.model.setDoor(0, false)
  await waitFor('door.closed', after(t))
  return { open, forced: rig.h.platform.events.some((e) => e.type === 'door.forced' && e.zone === 'gate' && after(t)(e)) }
}

beforeAll(async () => {
  rig = await startOsdpRig([{ address: 0, contactInput: 0, strikeOutput: 0 }], {
    readers: [{ address: 0, door: 'gate', contactInput: 0, strikeOutput: 0, strikePulseMs: 5000, grantGraceMs: 1000 }],
    allowList: [{ card: '4567', facility: 123, user: 'resident-0301' }],
  })
  await waitFor('device.online')
})

afterEach(() => {
  rig.model.refuseOutputs(0, false)
  rig.model.setDoor(0, false)
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp door authorisation over a PTY: only a strike command the reader confirmed authorises an opening', () => {
  it('an unlock the reader refuses is refused, and the opening that follows is forced', async () => {
    rig.model.refuseOutputs(0, true)
    const res = await send('unlock')
    expect(res).toMatchObject({ status: 'refused', reason: expect.stringMatching(/unable to process command record/) })
    expect(rig.model.strikeOn(0, Date.now())).toBe(false)
    const { open, forced } = await walkThrough()
    expect(open.attrs).toMatchObject({ granted: false })
    expect(forced).toBe(true)
  })

  it('a lock ends the window an unlock opened: the opening after it is forced', async () => {
    expect(await send('unlock')).toMatchObject({ status: 'ok' })
    expect(rig.model.strikeOn(0, Date.now())).toBe(true)
    expect(await send('lock')).toMatchObject({ status: 'ok' })
    expect(rig.model.strikeOn(0, Date.now())).toBe(false)
    const { open, forced } = await walkThrough()
    expect(open.attrs).toMatchObject({ granted: false })
    expect(forced).toBe(true)
  })

  it('a listed card whose strike pulse the reader refuses authorises nothing', async () => {
    rig.model.refuseOutputs(0, true)
    const t = Date.now()
    rig.model.swipe(0, 'H10301', 123, 4567)
    await waitFor('access.granted', after(t))
    // The refused OUT is the first thing on the bus after the swipe's events are committed.
    await rig.h.logs.waitFor('reader refused a command', { command: 'OUT' })
    const { open, forced } = await walkThrough()
    expect(open.attrs).toMatchObject({ granted: false })
    expect(forced).toBe(true)
  })

  it('an unlock the reader confirmed still lets one person through', async () => {
    expect(await send('unlock')).toMatchObject({ status: 'ok' })
    const { open, forced } = await walkThrough()
    expect(open.attrs).toMatchObject({ granted: true })
    expect(forced).toBe(false)
  })
})
