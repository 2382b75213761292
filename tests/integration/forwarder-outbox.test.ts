import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sqlite3 from 'sqlite3'
import { Journal } from '../../gateway/journal/journal.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { Forwarder } from '../../cloud-bridge/forwarder.js'
import { captureLog } from '../helpers/logs.js'
import { FakeUplink } from '../helpers/fake-uplink.js'
import { ManualTimers } from '../helpers/manual-timers.js'
import type { OutboxRow } from '../../cloud-bridge/outbox.js'
import type { Priority } from '../../base/events/types.js'
import { outageBacklog, urgentDrain } from '../helpers/urgent-drain.js'

const ids_ = new UuidV7Generator()
let dir: string
let journal: Journal
let forwarder: Forwarder | undefined

function newForwarder(
  uplink: FakeUplink,
  log = captureLog().log,
  more: { timers?: ManualTimers; maxAttempts?: number; onParked?: (row: OutboxRow, reason: string) => void } = {},
): Forwarder {
  return new Forwarder({
    uplink,
    outbox: journal,
    log,
    now: Date.now,
    maxAttempts: more.maxAttempts ?? 5,
    onParked: more.onParked ?? (() => undefined),
    ...(more.timers ? { timers: more.timers } : {}),
  })
}

async function append(device: string, n: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const r = await journal.append({
      event: buildEvent({ site: 's', device, kind: 'alarm', location: {} }, { type: 'intrusion', attrs: { n: i } }, ids_.next(), Date.now()),
    })
    ids.push(r.id)
  }
  return ids
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pingan-fwd-'))
  journal = await Journal.open({
    path: join(dir, 'journal.db'),
    maxRows: 100_000,
    maxBytes: 512 * 1024 * 1024,
    maxAgeMs: 86_400_000,
    spareBytes: 0,
    batchMaxEvents: 2000,
    uplinks: ['platform'],
    log: captureLog().log,
    now: Date.now,
  })
})
afterEach(async () => {
  await forwarder?.stop(0)
  forwarder = undefined
  await journal.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Per device, the seq numbers in the order the uplink was given them (first sending only). */
function firstSendOrder(rows: Array<{ id: string; device: string; body: string }>): Map<string, number[]> {
  const seen = new Set<string>()
  const order = new Map<string, number[]>()
  for (const r of rows) {
    if (seen.has(r.id)) continue
    seen.add(r.id)
    const list = order.get(r.device) ?? []
    list.push((JSON.parse(r.body) as { seq: number }).seq)
    order.set(r.device, list)
  }
  return order
}

describe('forwarder read plan across a reset', () => {
  it('a reconnect during the urgent pass voids the read that started before it: each device stays in order', async () => {
    // 300 security events from two devices, committed while the platform was away.
    for (let i = 0; i < 300; i++) {
      const device = i % 2 === 0 ? 'door-a' : 'door-b'
      await journal.append({
        event: buildEvent({ site: 's', device, kind: 'alarm', location: {} }, { type: 'intrusion', attrs: { n: i } }, ids_.next(), Date.now()),
      })
    }
    const uplink = new FakeUplink()
    // The link drops and comes straight back while the third predecessor query is running.
    const outbox = journal.outbox
    const query = outbox.devicePredecessors.bind(outbox)
    let calls = 0
    outbox.devicePredecessors = async (...args) => {
      const rows = query(...args)
      if (++calls === 3) {
        uplink.drop()
        uplink.up()
      }
      return rows
    }
    forwarder = newForwarder(uplink)
    forwarder.start()
    uplink.start()
    await uplink.sentCount(300)
    const order = firstSendOrder(uplink.sent)
    expect(calls).toBeGreaterThanOrEqual(3)
    expect(order.get('door-a')).toEqual(Array.from({ length: 150 }, (_, i) => i + 1))
    expect(order.get('door-b')).toEqual(Array.from({ length: 150 }, (_, i) => i + 1))
  })
})

describe('forwarder drain after an outage', () => {
  it("while urgent events wait, sends only them and their own devices' earlier events, however many they are", async () => {
    // A fifth of the backlog urgent, committed in group commits as a busy gateway would.
    const backlog = outageBacklog(3000)
    const committed = await Promise.all(
      backlog.map((e) =>
        journal.append({
          event: buildEvent(
            { site: 's', device: e.device, kind: 'alarm', location: {} },
            { type: 'intrusion', priority: e.priority as Priority },
            ids_.next(),
            Date.now(),
          ),
        }),
      ),
    )
    const uplink = new FakeUplink()
    forwarder = newForwarder(uplink)
    forwarder.start()
    uplink.start()
    await uplink.sentCount(committed.length)
    const { ahead, strays } = urgentDrain(uplink.sent)
    expect(strays.map((r) => `${r.device}#${r.pos}`)).toEqual([])
    expect(ahead.map((r) => r.id)).toEqual(committed.filter((_r, i) => backlog[i]!.priority <= 2 || backlog[i]!.device === 'door-c').map((r) => r.id))
    const order = firstSendOrder(uplink.sent)
    for (const device of new Set(backlog.map((e) => e.device))) {
      const seqs = committed.filter((r) => r.event.device === device).map((r) => r.event.seq)
      expect(order.get(device)).toEqual(seqs)
    }
  })
})

/** Another program breaks the journal's schema under the gateway: every outbox read fails until it is put back. */
async function hideOutbox(path: string): Promise<() => Promise<void>> {
  const db = new sqlite3.Database(path)
  const exec = (sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())))
  await exec('ALTER TABLE pending RENAME TO pending_hidden')
  return async () => {
    await exec('ALTER TABLE pending_hidden RENAME TO pending')
    await new Promise<void>((r) => db.close(() => r()))
  }
}

describe('forwarder status', () => {
  it('reports an outbox it cannot read instead of showing no backlog', async () => {
    await journal.append({ event: buildEvent({ site: 's', device: 'door-a', kind: 'alarm', location: {} }, { type: 'intrusion' }, ids_.next(), Date.now()) })
    const logs = captureLog()
    forwarder = newForwarder(new FakeUplink(), logs.log)
    forwarder.start()
    const before = await forwarder.status()
    expect(before).toMatchObject({ backlog: 1, parked: 0, outboxError: null })
    expect(before.oldestUndeliveredAgeMs).toBeGreaterThanOrEqual(0)

    const restore = await hideOutbox(join(dir, 'journal.db'))
    const broken = await forwarder.status()
    await restore()
    expect(broken.outboxError).toMatch(/no such table: pending/)
    expect(broken).toMatchObject({ oldestUndeliveredAgeMs: null, parked: null })
    expect(logs.find('cannot read the outbox')).toHaveLength(1)

    const after = await forwarder.status()
    expect(after).toMatchObject({ parked: 0, outboxError: null })
    expect(logs.find('outbox readable again')).toHaveLength(1)
  })
})

describe('forwarder refusals', () => {
  it('connections closed on a status publish never count against the events in flight', async () => {
    await append('door-a', 5)
    const logs = captureLog()
    const parked: string[] = []
    const uplink = new FakeUplink()
    uplink.hold = true
    forwarder = newForwarder(uplink, logs.log, { maxAttempts: 2, onParked: (r) => parked.push(r.id) })
    forwarder.start()
    uplink.start()
    for (let k = 1; k <= 6; k++) {
      await uplink.sentCount(5 * k)
      uplink.drop({ kind: 'status', topic: 'pingan/v1/s/gateway/status' })
      uplink.up()
    }
    await uplink.sentCount(30)
    expect(parked).toEqual([])
    expect(logs.find('keeps dropping')).toEqual([])
    expect(logs.find('refused')).toEqual([])
  })

  it('an event whose publish the connection keeps closing on is set aside; the reason names its topic', async () => {
    const [first] = await append('door-a', 3)
    const logs = captureLog()
    const uplink = new FakeUplink()
    uplink.hold = true
    const parked = new Promise<[OutboxRow, string]>((resolve) => {
      forwarder = newForwarder(uplink, logs.log, { maxAttempts: 2, onParked: (row, reason) => resolve([row, reason]) })
    })
    forwarder!.start()
    uplink.start()
    let sent = 0
    while (logs.find('set aside').length === 0) {
      await uplink.sentCount(++sent)
      // The uplink reports what the broker stopped at: the oldest publish not acknowledged.
      const oldest = uplink.oldestUnacked()!
      uplink.drop({ kind: 'event', pos: oldest.pos, topic: `pingan/v1/s/event/alarm/${oldest.device}` })
      uplink.up()
      sent = uplink.sent.length
    }
    const [row, reason] = await parked
    expect(row.id).toBe(first)
    expect(reason).toContain('pingan/v1/s/event/alarm/door-a')
  })

  it('an event the platform refuses is tried again after growing delays on the injected timers, then set aside', async () => {
    await append('door-a', 3)
    const timers = new ManualTimers()
    const uplink = new FakeUplink()
    const logs = captureLog()
    const parked = new Promise<OutboxRow>((resolve) => {
      forwarder = newForwarder(uplink, logs.log, { timers, maxAttempts: 3, onParked: (row) => resolve(row) })
    })
    uplink.refuse.add(2)
    forwarder!.start()
    uplink.start()
    // Refused once: tried again 500 ms later, then 1 s after that; the third refusal sets it aside.
    expect(await timers.nextDue()).toBe(500)
    await timers.fireNext()
    expect(await timers.nextDue()).toBe(1500)
    await timers.fireNext()
    expect((await parked).pos).toBe(2)
    expect(logs.find('platform refused an event')).toHaveLength(2)
  })
})
