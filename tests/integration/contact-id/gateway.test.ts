import { afterEach, describe, expect, it } from 'vitest'
import sqlite3 from 'sqlite3'
import { ReceiverModel } from '../../../simulators/alarm-receiver/model.js'
import { serveTcp } from '../../../simulators/alarm-receiver/wire.js'
import { startHarness, SITE } from '../../helpers/harness.js'
import { captureLog } from '../../helpers/logs.js'
import { DEADLINE_MS, DEVICE, alarms, barrier, ev, until } from './support.js'

const ZONES = {
  15: { name: 'infrared beam, north fence', location: { building: '3', area: 'north fence' } },
  2: { name: 'lobby PIR', location: { building: '1', unit: 'lobby' } },
}

function device(transport: unknown, extra: Record<string, unknown> = {}) {
  return {
    id: DEVICE,
    adapter: 'contact-id',
    name: 'Guard room receiver',
    location: { grid: 'G-07' },
    transport,
    supervisionMs: 1500,
    zones: ZONES,
    ...extra,
  }
}

describe('Contact ID through the whole gateway', { timeout: 4 * DEADLINE_MS }, () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  async function tcpSetup(modelOpts: ConstructorParameters<typeof ReceiverModel>[0] = {}, extra: Record<string, unknown> = {}, byteDelayMs = 0) {
    const model = new ReceiverModel({ heartbeatMs: 400, ackTimeoutMs: 1000, ...modelOpts }, Date.now())
    const sim = await serveTcp(model, { log: captureLog().log, byteDelayMs })
    cleanup.push(() => sim.close())
    const h = await startHarness({ devices: [device({ url: sim.address, backoff: { initialMs: 50, maxMs: 200 } }, extra)] })
    cleanup.push(() => h.stop())
    return { model, sim, h }
  }

  it('delivers events over TCP to the platform with zone names and locations, ACKed once committed', async () => {
    const { model, sim, h } = await tcpSetup()
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
    model.enqueue(ev('131', '015'), ev('131', '015', 'R'), ev('401', '007', 'R'), ev('999', '002'))
    sim.poke()
    const beam = await h.platform.waitForEvent((e) => e.type === 'intrusion', DEADLINE_MS)
    expect(beam).toMatchObject({
      site: SITE,
      device: DEVICE,
      kind: 'alarm',
      priority: 2,
      zone: 'infrared beam, north fence',
      building: '3',
      area: 'north fence',
      grid: 'G-07',
      raw: '5011 181234E13101015',
      attrs: { account: '1234', code: '131', qualifier: 'new', zone: '015', description: 'Perimeter' },
    })
    await h.platform.waitForEvent((e) => e.type === 'intrusion.restore', DEADLINE_MS)
    expect(await h.platform.waitForEvent((e) => e.type === 'arm', DEADLINE_MS)).toMatchObject({ user: '007' })
    expect(await h.platform.waitForEvent((e) => e.type === 'other', DEADLINE_MS)).toMatchObject({ zone: 'lobby PIR', unit: 'lobby', attrs: { code: '999' } })
    await until('all ACKed', () => model.stats.delivered === 4)
    expect(alarms(h)).toHaveLength(4)
    expect(model.stats.naks).toBe(0)
  })

  it('reassembles messages from a slow link that delivers one byte at a time', async () => {
    const { model, sim, h } = await tcpSetup({ ackTimeoutMs: 2000 }, {}, 4)
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
    model.enqueue(ev('131', '015'), ev('110', '002'))
    sim.poke()
    await until('both', () => model.stats.delivered === 2)
    expect(
      alarms(h)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['fire', 'intrusion'])
    expect(model.stats.naks).toBe(0)
  })

  it('does not ACK while the journal cannot commit, and the repeats become one event', async () => {
    const { model, sim, h } = await tcpSetup({ ackTimeoutMs: 1200 })
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
    // A second connection holds SQLite's write lock: the journal's commit waits (busy_timeout).
    const db = new sqlite3.Database(h.config.journal.path)
    await new Promise<void>((res, rej) => db.exec('BEGIN EXCLUSIVE', (err) => (err ? rej(err) : res())))
    const repeatsBefore = model.stats.retransmissions
    model.enqueue(ev('130', '002'))
    sim.poke()
    // It times out and repeats while the commit is blocked, unacknowledged.
    await until('a repeat while the commit is blocked', () => model.stats.retransmissions > repeatsBefore)
    expect(model.stats.delivered).toBe(0)
    await new Promise<void>((res, rej) => db.exec('COMMIT', (err) => (err ? rej(err) : res())))
    await new Promise<void>((res) => db.close(() => res()))
    await until('delivered', () => model.stats.delivered === 1)
    await barrier(model, sim, h)
    expect(alarms(h).filter((e) => e.type === 'intrusion')).toHaveLength(1)
    // The copies read before our ACK share it; any read after it are merged by the journal.
    expect(h.logs.find('sent before our ACK, already answered').length + h.logs.find('repeated message already committed').length).toBeGreaterThan(0)
  })

  it('a message whose ACKs are all lost is repeated and still stored once', async () => {
    const { model, sim, h } = await tcpSetup({ ackTimeoutMs: 300 })
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
    // Only the event's ACKs are lost: heartbeats keep the link up.
    sim.setDeaf('events')
    model.enqueue(ev('137', '015'))
    sim.poke()
    // 1 try + 3 repeats, then the receiver gives up and holds the message.
    await until('gave up', () => model.stats.gaveUp === 1)
    sim.setDeaf(false)
    // Resumed on the next heartbeat ACK, the message goes out a fifth time and is ACKed.
    await until('delivered', () => model.stats.delivered === 1)
    await barrier(model, sim, h)
    expect(alarms(h).map((e) => e.type)).toEqual(['tamper', 'test'])
    expect(model.stats.sent).toBeGreaterThanOrEqual(5)
  })

  it('raises device.offline when heartbeats stop and device.online when they return', async () => {
    const { sim, h } = await tcpSetup()
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
    sim.pause(true)
    const off = await h.platform.waitForEvent((e) => e.type === 'device.offline', DEADLINE_MS)
    expect(off.attrs['reason']).toMatch(/no heartbeat for 2 s/)
    sim.pause(false)
    await h.platform.waitForEvent((e) => e.type === 'device.online' && e.seq > off.seq, DEADLINE_MS)
  })
})
