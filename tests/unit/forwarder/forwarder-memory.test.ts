import { afterEach, describe, expect, it } from 'vitest'
import { Forwarder } from '../../../cloud-bridge/forwarder.js'
import { MemoryOutbox } from '../../../cloud-bridge/memory-outbox.js'
import type { OutboxRow } from '../../../cloud-bridge/outbox.js'
import { captureLog } from '../../helpers/logs.js'
import { FakeUplink } from '../../helpers/fake-uplink.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { outageBacklog, urgentDrain } from '../../helpers/urgent-drain.js'

// The forwarder's ordering and refusal logic against the in-memory outbox: no SQLite, no broker.
// The same paths through the real journal are in tests/integration/forwarder-outbox.test.ts.

let outbox: MemoryOutbox
let forwarder: Forwarder | undefined
let n = 0

afterEach(async () => {
  await forwarder?.stop(0)
  forwarder = undefined
})

function commit(device: string, priority = 5): OutboxRow {
  const id = `ev-${++n}`
  return outbox.commit([{ id, device, kind: 'alarm', priority, body: JSON.stringify({ id, device }) }])[0]!
}

function start(
  uplink: FakeUplink,
  more: { timers?: ManualTimers; maxAttempts?: number; onParked?: (row: OutboxRow, reason: string) => void; log?: ReturnType<typeof captureLog>['log'] } = {},
): Forwarder {
  forwarder = new Forwarder({
    uplink,
    outbox,
    log: more.log ?? captureLog().log,
    now: Date.now,
    maxAttempts: more.maxAttempts ?? 5,
    onParked: more.onParked ?? (() => undefined),
    ...(more.timers ? { timers: more.timers } : {}),
  })
  forwarder.start()
  uplink.start()
  return forwarder
}

/** Per device, the ids in the order the uplink was first given them. */
function firstSends(rows: readonly OutboxRow[]): Map<string, string[]> {
  const seen = new Set<string>()
  const order = new Map<string, string[]>()
  for (const r of rows) {
    if (seen.has(r.id)) continue
    seen.add(r.id)
    order.set(r.device, [...(order.get(r.device) ?? []), r.id])
  }
  return order
}

describe('forwarder over the memory outbox', () => {
  it('drains a backlog urgent-first without reordering any device, then marks everything delivered', async () => {
    outbox = new MemoryOutbox(['platform'])
    const committed: OutboxRow[] = []
    for (let i = 0; i < 300; i++) committed.push(commit(i % 2 === 0 ? 'door-a' : 'door-b'))
    const urgentA = commit('door-a', 1)
    const urgentC = commit('panel-c', 2)
    committed.push(urgentA, urgentC)
    const uplink = new FakeUplink()
    start(uplink)
    await uplink.sentCount(committed.length)
    await forwarder!.stop(5000)
    const firstB = uplink.sent.findIndex((r) => r.device === 'door-b')
    // Both urgent events went before door-b's routine backlog; door-a's earlier events went before its own.
    expect(uplink.sent.findIndex((r) => r.id === urgentA.id)).toBeLessThan(firstB)
    expect(uplink.sent.findIndex((r) => r.id === urgentC.id)).toBeLessThan(firstB)
    const order = firstSends(uplink.sent)
    for (const device of ['door-a', 'door-b', 'panel-c']) {
      expect(order.get(device)).toEqual(committed.filter((r) => r.device === device).map((r) => r.id))
    }
    expect(outbox.pendingCount('platform')).toBe(0)
    expect(await outbox.page('platform', 0, 10)).toEqual([])
  })

  it("while urgent events wait, sends only them and their own devices' earlier events, however many they are", async () => {
    // A fifth of a 10,000-event backlog is urgent: the old plan took 100 of them ahead of each page
    // of 1,000, and the last went at the end of the drain.
    outbox = new MemoryOutbox(['platform'])
    const committed = outageBacklog(10_000).map((e) => commit(e.device, e.priority))
    const uplink = new FakeUplink()
    start(uplink)
    await uplink.sentCount(committed.length)
    const { ahead, strays } = urgentDrain(uplink.sent)
    expect(strays.map((r) => `${r.device}#${r.pos}`)).toEqual([])
    expect(ahead.map((r) => r.id)).toEqual(committed.filter((r) => r.priority <= 2 || r.device === 'door-c').map((r) => r.id))
    const order = firstSends(uplink.sent)
    for (const device of new Set(committed.map((r) => r.device))) {
      expect(order.get(device)).toEqual(committed.filter((r) => r.device === device).map((r) => r.id))
    }
  })

  it('sends what commits while caught up straight from the commit, in order', async () => {
    outbox = new MemoryOutbox(['platform'])
    const uplink = new FakeUplink()
    start(uplink)
    commit('door-a')
    await uplink.sentCount(1)
    const later = [commit('door-a'), commit('door-b', 1), commit('door-a')]
    await uplink.sentCount(4)
    expect(uplink.sent.slice(1).map((r) => r.id)).toEqual(later.map((r) => r.id))
  })

  it('parks an event the platform keeps refusing after maxAttempts, and delivers the rest', async () => {
    outbox = new MemoryOutbox(['platform'])
    const rows = [commit('door-a'), commit('door-a'), commit('door-a')]
    const timers = new ManualTimers()
    const uplink = new FakeUplink()
    uplink.refuse.add(rows[1]!.pos)
    const logs = captureLog()
    const parked = new Promise<[OutboxRow, string]>((resolve) => {
      start(uplink, { timers, maxAttempts: 2, log: logs.log, onParked: (row, reason) => resolve([row, reason]) })
    })
    expect(await timers.nextDue()).toBe(500)
    await timers.fireNext()
    const [row, reason] = await parked
    expect(row.id).toBe(rows[1]!.id)
    expect(reason).toContain('refused')
    expect(await outbox.parkedCount('platform')).toBe(1)
    // The events around it are delivered: once what is in flight is acknowledged, nothing else waits.
    expect(uplink.sent.map((r) => r.id)).toContain(rows[2]!.id)
    await forwarder!.stop(5000)
    expect(outbox.pendingCount('platform')).toBe(0)
    expect((await forwarder!.status()).parked).toBe(1)
    expect(logs.find('platform refused an event')).toHaveLength(1)
  })

  it("goes on counting a refused event's attempts after a restart instead of starting again", async () => {
    outbox = new MemoryOutbox(['platform'])
    const row = commit('door-a')
    const uplink = new FakeUplink()
    uplink.refuse.add(row.pos)
    const timers = new ManualTimers()
    const first = captureLog()
    start(uplink, { timers, maxAttempts: 3, log: first.log })
    // Refused twice, then the gateway stops before the third try.
    await timers.fireNext()
    expect(await timers.nextDue()).toBeGreaterThan(0)
    expect(first.find('platform refused an event')).toHaveLength(2)
    await forwarder!.stop(0)
    const again = new FakeUplink()
    again.refuse.add(row.pos)
    const second = captureLog()
    const parked = new Promise<OutboxRow>((resolve) => {
      start(again, { timers: new ManualTimers(), maxAttempts: 3, log: second.log, onParked: (r) => resolve(r) })
    })
    // The third refusal in all sets it aside: the restarted forwarder does not give it three more.
    expect((await parked).id).toBe(row.id)
    expect(second.find('platform refused an event')).toEqual([])
  })
})
