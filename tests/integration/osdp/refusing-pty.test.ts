import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayEvent } from '../../../base/events/event.js'
import { DEVICE, startOsdpRig, until, type OsdpRig } from './setup.js'

const KEY = Buffer.alloc(16, 0x42)
/** pino's numeric levels. */
const WARN = 40
const ERROR = 50

let rig: OsdpRig
const waitFor = (type: string, door: string, pred: (e: GatewayEvent) => boolean = () => true, ms = 8000) =>
  rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === type && e.zone === door && pred(e), ms)
const count = (type: string, door: string, pred: (e: GatewayEvent) => boolean = () => true) =>
  rig.h.platform.events.filter((e) => e.type === type && e.zone === door && pred(e)).length
const after = (t: number) => (e: GatewayEvent) => Date.parse(e.receivedAt) >= t

beforeAll(async () => {
  rig = await startOsdpRig(
    [
      // As libosdp with ENFORCE_SECURE: ID and CAP in the clear, every other command NAK 0x06.
      { address: 0, requireSecure: true, scbk: KEY },
      { address: 1, requireSecure: true },
      { address: 2 },
    ],
    {
      readers: [
        { address: 0, door: 'vault', name: 'Vault' },
        { address: 1, door: 'annex', secureChannel: true },
        { address: 2, door: 'lobby' },
      ],
      offlineAfterMs: 1000,
      reconnectIntervalMs: 100,
      refusedRetryMaxMs: 1000,
    },
  )
  await waitFor('device.online', 'lobby')
  await waitFor('device.online', 'annex')
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp readers that keep refusing the gateway, over a PTY', () => {
  it('a reader that requires the secure channel, configured without it: one fault saying what to change, offline, retried ever more slowly', async () => {
    const fault = await waitFor('reader.fault', 'vault')
    expect(fault).toMatchObject({
      priority: 3,
      attrs: {
        door: 'Vault',
        reader: 0,
        reason: 'reader requires the secure channel',
        fix: expect.stringMatching(/^set secureChannel: true for reader 0/),
        detail: expect.stringMatching(/NAK 0x06: encrypted communication required/),
      },
    })
    // Refusals are not answers: it goes offline like a silent reader, saying why.
    const off = await waitFor('device.offline', 'vault')
    expect(off.attrs['reason']).toMatch(/NAK 0x06/)
    // It is still tried (another start-up after the offline report), and neither reported nor logged again.
    const seen = rig.model.pd(0).counters.commands
    await until(() => rig.model.pd(0).counters.commands >= seen + 3)
    expect(count('reader.fault', 'vault')).toBe(1)
    expect(count('device.online', 'vault')).toBe(0)
    expect(rig.h.logs.find('reader refused a command', { door: 'vault', level: WARN })).toHaveLength(1)
    expect(rig.h.logs.find('reader refused a command', { door: 'vault' }).length).toBeGreaterThan(1)
    // A handful of start-ups, not thousands: each one is three commands (ID, CAP, LSTAT).
    expect(rig.model.pd(0).counters.naks['06']).toBeLessThan(20)
    // Its neighbours on the bus are served all along.
    rig.model.swipe(2, 'H10301', 1, 2)
    await waitFor('credential', 'lobby')
  })

  it('a reader whose secure channel keeps failing: one failure event, one fault, logged once; back when it is mended', async () => {
    const t = Date.now()
    rig.model.corruptMac(1, true)
    const fault = await waitFor('reader.fault', 'annex', after(t))
    expect(fault.attrs).toMatchObject({ reason: 'the secure channel keeps failing', detail: 'MAC mismatch' })
    await waitFor('device.offline', 'annex', after(t))
    const seen = rig.model.pd(1).counters.macFailures + rig.model.pd(1).counters.commands
    await until(() => rig.model.pd(1).counters.macFailures + rig.model.pd(1).counters.commands > seen + 2)
    expect(count('secure-channel.failure', 'annex', after(t))).toBe(1)
    expect(rig.h.logs.find('secure channel failure', { door: 'annex', level: ERROR })).toHaveLength(1)
    rig.model.corruptMac(1, false)
    const restore = await waitFor('reader.fault.restore', 'annex', after(t))
    expect(restore).toMatchObject({ priority: 4 })
    await waitFor('device.online', 'annex', after(t))
    expect(count('reader.fault', 'annex')).toBe(1)
  })
})
