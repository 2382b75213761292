import { readFileSync, statSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayEvent } from '../../../base/events/event.js'
import { SITE } from '../../helpers/harness.js'
import { DEVICE, startOsdpRig, type OsdpRig } from './setup.js'

let rig: OsdpRig
let n = 0
const send = (action: string, params: Record<string, unknown>) => rig.h.platform.sendCommand(SITE, DEVICE, { id: `osdp-cmd-${++n}`, action, params }, 5000)
const waitFor = (type: string, door: string, pred: (e: GatewayEvent) => boolean = () => true, ms = 5000) =>
  rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === type && e.zone === door && pred(e), ms)
const after = (t: number) => (e: GatewayEvent) => Date.parse(e.receivedAt) >= t

beforeAll(async () => {
  rig = await startOsdpRig(
    [
      { address: 0, contactInput: 0, strikeOutput: 0 },
      { address: 1, requireSecure: true, contactInput: 0, strikeOutput: 0 },
    ],
    {
      readers: [
        { address: 0, door: 'north-gate', name: 'North gate', contactInput: 0, strikeOutput: 0, strikePulseMs: 1000, heldOpenMs: 1500, grantGraceMs: 500 },
        { address: 1, door: 'east-door', name: 'East door', secureChannel: true, contactInput: 0, strikeOutput: 0 },
      ],
    },
  )
  await waitFor('device.online', 'north-gate')
  await waitFor('device.online', 'east-door')
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp through the gateway over a PTY', () => {
  it('names the reader by vendor OUI as its documentation writes it (not in wire order), serial and firmware', async () => {
    const on = await waitFor('device.online', 'north-gate')
    expect(on.attrs).toMatchObject({ vendor: 'A1-B2-C3', serial: 0x12345678, firmware: '1.2.3' })
  })

  it('health() in the gateway status: the bus online, its identity, the secure channel, the line as LinkStats', async () => {
    const h = (await rig.h.gateway.status()).devices.health[DEVICE]!
    // The first reader with an identity names the bus; east-door is secure but north-gate is not.
    expect(h).toMatchObject({
      online: true,
      info: { vendor: 'A1-B2-C3', serial: String(0x12345678), firmware: '1.2.3', secureChannel: false },
      supervision: { windowMs: expect.any(Number) },
    })
    expect(h.lastSeenAt).toBeTypeOf('number')
    expect(h.link.frames).toBeGreaterThan(0)
    expect(h.link).toMatchObject({ crcErrors: 0, droppedBytes: 0 })
  })

  it('a swipe reaches the platform as a credential with card number, facility, format and door name', async () => {
    rig.model.swipe(0, 'H10301', 123, 4567)
    const ev = await waitFor('credential', 'north-gate')
    expect(ev).toMatchObject({
      site: SITE,
      kind: 'access',
      priority: 4,
      building: 'B1',
      attrs: { door: 'North gate', reader: 0, card: '4567', facility: 123, format: 'H10301', bits: 26 },
    })
    // The reader's packet as received (its sequence number and so its CRC vary).
    expect(ev.raw).toMatch(/^538010000[4-7]5000011a00bd88eb80[0-9a-f]{4}$/)
  })

  it.each([
    ['H10306', 1234, 56789],
    ['C1000-35', 2345, 678901],
    ['H10304', 4321, 300000],
  ] as const)('reports a %s card', async (format, facility, card) => {
    rig.model.swipe(0, format, facility, card)
    await waitFor('credential', 'north-gate', (e) => e.attrs['format'] === format && e.attrs['card'] === String(card) && e.attrs['facility'] === facility)
  })

  it('reports keypad entries with * and #', async () => {
    rig.model.keypad(0, '*123#')
    await waitFor('keypad', 'north-gate', (e) => e.attrs['keys'] === '*123#')
  })

  it('unlock from the platform pulses the strike; opening then is not forced', async () => {
    const t = Date.now()
    const res = await send('unlock', { door: 'north-gate' })
    expect(res).toMatchObject({ status: 'ok', device: DEVICE, action: 'unlock' })
    expect(rig.model.strikeOn(0, Date.now())).toBe(true)
    await waitFor('door.unlocked', 'north-gate', after(t))
    rig.model.setDoor(0, true)
    const open = await waitFor('door.open', 'north-gate', after(t))
    expect(open.attrs).toMatchObject({ granted: true })
    rig.model.setDoor(0, false)
    await waitFor('door.closed', 'north-gate', after(t))
    expect(rig.h.platform.events.some((e) => e.type === 'door.forced' && after(t)(e))).toBe(false)
  })

  it('a door opened without a grant is forced (priority 2), and restores on closing', async () => {
    // Whatever authorisation an earlier test left open ends with a lock.
    expect(await send('lock', { door: 'north-gate' })).toMatchObject({ status: 'ok' })
    const t = Date.now()
    rig.model.setDoor(0, true)
    const forced = await waitFor('door.forced', 'north-gate', after(t))
    expect(forced).toMatchObject({ priority: 2, attrs: { door: 'North gate' } })
    rig.model.setDoor(0, false)
    await waitFor('door.forced.restore', 'north-gate', after(t))
  })

  it('a door left open past heldOpenMs is held, and restores on closing', async () => {
    const t = Date.now()
    await send('unlock', { door: 'north-gate' })
    rig.model.setDoor(0, true)
    const held = await waitFor('door.held', 'north-gate', after(t), 4000)
    expect(Date.parse(held.receivedAt) - t).toBeGreaterThanOrEqual(1500)
    rig.model.setDoor(0, false)
    await waitFor('door.held.restore', 'north-gate', after(t))
  })

  it('reports tamper and power from the reader', async () => {
    const t = Date.now()
    rig.model.setTamper(0, true)
    expect(await waitFor('tamper', 'north-gate', after(t))).toMatchObject({ priority: 2 })
    rig.model.setPowerLost(0, true)
    await waitFor('power.lost', 'north-gate', after(t))
    rig.model.setTamper(0, false)
    rig.model.setPowerLost(0, false)
    await waitFor('power.restored', 'north-gate', after(t))
  })

  it('LED and buzzer commands reach the reader; bad ones are refused with a reason', async () => {
    expect(await send('led', { door: 'north-gate', color: 'green', durationMs: 2000 })).toMatchObject({ status: 'ok' })
    expect(rig.model.pd(0).ledColor(0, Date.now())).toBe(2)
    expect(await send('buzzer', { door: 'north-gate', count: 3 })).toMatchObject({ status: 'ok' })
    expect(rig.model.pd(0).buzzer).toMatchObject({ tone: 2, count: 3 })
    expect(await send('led', { door: 'north-gate', color: 'plaid' })).toMatchObject({ status: 'invalid' })
    expect(await send('unlock', { door: 'west-door' })).toMatchObject({ status: 'invalid' })
    expect(await send('open-sesame', { door: 'north-gate' })).toMatchObject({ status: 'unsupported' })
  })

  it('the secure reader got its own key, kept in a 0600 key store, and never heard clear text', async () => {
    const online = await waitFor('device.online', 'east-door')
    expect(online.attrs).toMatchObject({ secure: true })
    const st = statSync(rig.keyStorePath)
    expect(st.mode & 0o777).toBe(0o600)
    const store = JSON.parse(readFileSync(rig.keyStorePath, 'utf8')) as { readers: Record<string, { active: string }> }
    expect(store.readers[`${DEVICE}:1`]?.active).toBe(rig.model.pd(1).scbk?.toString('hex'))
    // The reader drops its session once it has ACKed KEYSET: the gateway opened a new one under
    // the new key instead of talking into the old one (which the reader NAKs with 0x06).
    expect(rig.model.pd(1).counters).toMatchObject({ clearCommands: 0, keysets: 1 })
    expect(rig.model.pd(1).counters.naks).toEqual({})
  })

  it('the secure channel session survives a reader restart, and swipes keep flowing', async () => {
    const t = Date.now()
    rig.model.restart(1)
    rig.model.swipe(1, 'H10301', 7, 777)
    const ev = await waitFor('credential', 'east-door', after(t))
    expect(ev.attrs).toMatchObject({ card: '777', facility: 7, door: 'East door' })
    expect(rig.h.platform.events.some((e) => e.zone === 'east-door' && e.type === 'device.offline')).toBe(false)
    expect(rig.model.pd(1).counters).toMatchObject({ clearCommands: 0, keysets: 1 })
  })

  it('a MAC failure is a secure-channel.failure naming the reader, and the session comes back', async () => {
    const t = Date.now()
    rig.model.corruptMac(1)
    const ev = await waitFor('secure-channel.failure', 'east-door', after(t))
    expect(ev).toMatchObject({ priority: 2, attrs: { door: 'East door', reader: 1, reason: 'MAC mismatch' } })
    rig.model.swipe(1, 'H10301', 7, 778)
    await waitFor('credential', 'east-door', (e) => e.attrs['card'] === '778')
  })

  it('no duplicates and no gaps reached the platform', () => {
    expect(rig.h.platform.report()).toMatchObject({ duplicates: 0, gaps: 0, orderViolations: 0 })
  })
})
