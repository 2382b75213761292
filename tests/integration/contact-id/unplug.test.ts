import { afterEach, describe, expect, it } from 'vitest'
import { ReceiverModel } from '../../../simulators/alarm-receiver/model.js'
import { openSerial, serveTcp, type ReceiverPort } from '../../../simulators/alarm-receiver/wire.js'
import { startHarness } from '../../helpers/harness.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'
import { captureLog } from '../../helpers/logs.js'
import { DEADLINE_MS, DEVICE, alarms, ev, until } from './support.js'
import type { GatewayEvent } from '../../../base/events/event.js'

function device(transport: unknown, supervisionMs = 1500) {
  return { id: DEVICE, adapter: 'contact-id', transport, supervisionMs }
}

describe('Contact ID through the gateway when the link goes away', { timeout: 4 * DEADLINE_MS }, () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('unplug and replug of a PTY: offline, online, and the events queued meanwhile all arrive', async () => {
    const pair: PtyPair = await startPtyPair()
    cleanup.push(() => pair.close())
    // The MLR2's own 4 s wait: with noise on the line, a much shorter one lets a loaded gateway's
    // ACK cross the receiver's repeat, and the spare ACK answer a message that arrived garbled.
    const model = new ReceiverModel({ heartbeatMs: 300, ackTimeoutMs: 4000, noiseRate: 0.3, corruptRate: 0.2, seed: 7 }, Date.now())
    const sim: ReceiverPort = await openSerial(model, { path: pair.b, baudRate: 115200, log: captureLog().log })
    cleanup.push(() => sim.close())
    // Supervision longer than the receiver's wait: a message waiting out its 4 s is not silence.
    const h = await startHarness({ devices: [device({ path: pair.a, baudRate: 115200, backoff: { initialMs: 50, maxMs: 300 } }, 20_000)] })
    cleanup.push(() => h.stop())
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
    // A line hit on the first: it is NAKed and repeated, never stored.
    model.corruptFirstTry(ev('131', '015'))
    model.enqueue(ev('131', '015'), ev('132', '002'))
    sim.poke()
    await until('first two', () => model.stats.delivered === 2)
    await pair.unplug()
    const off = await h.platform.waitForEvent((e) => e.type === 'device.offline', DEADLINE_MS)
    expect(off.attrs['reason']).toBe(`the serial port vanished (unplugged?): ${pair.a}`)
    const sentBefore = model.stats.sent
    model.enqueue(ev('110', '015'), ev('301', '000'), ev('602', '000'))
    sim.poke()
    await until('the receiver tried while unplugged', () => model.stats.sent > sentBefore)
    await pair.replug()
    await until('all five', () => model.stats.delivered === 5)
    await h.platform.waitForEvent((e) => e.type === 'device.online' && e.seq > off.seq, DEADLINE_MS)
    await h.platform.waitForEvent((e) => e.type === 'test', DEADLINE_MS)
    const types = alarms(h)
      .map((e: GatewayEvent) => e.type)
      .sort()
    expect(types).toEqual(['fire', 'intrusion', 'intrusion', 'power.lost', 'test'])
    // The noise and garbled copies were refused and repeated, never stored.
    expect(model.stats.naks).toBeGreaterThan(0)
  })

  it('a rebooting device server (TCP) drops the link; the gateway reconnects and nothing queued is lost', async () => {
    const model = new ReceiverModel({ heartbeatMs: 300, ackTimeoutMs: 500 }, Date.now())
    const sim = await serveTcp(model, { log: captureLog().log })
    cleanup.push(() => sim.close())
    const h = await startHarness({ devices: [device({ url: sim.address, backoff: { initialMs: 50, maxMs: 300 } })] })
    cleanup.push(() => h.stop())
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
    const down = sim.unplug(1000)
    model.enqueue(ev('120', '002'), ev('121', '003'))
    sim.poke()
    await down
    await until('both', () => model.stats.delivered === 2, 15_000)
    await h.platform.waitForEvent((e) => e.type === 'duress', DEADLINE_MS)
    expect(
      alarms(h)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['duress', 'panic'])
    expect(h.platform.events.some((e) => e.type === 'device.offline')).toBe(true)
  })
})
