import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Outbox, OutboxRow } from '../../../cloud-bridge/outbox.js'

/** An event to commit: its device, and how urgent it is (5, routine, unless said). */
export interface ContractEvent {
  device: string
  priority?: number
}

/** One implementation of `Outbox` under test, as the contract drives it. */
export interface OutboxFixture {
  /** The outbox as it is now (a restart may give a new one). */
  readonly outbox: Outbox
  /** Commits the events in this order, each durable before the next; resolves with their ids. */
  commit(events: readonly ContractEvent[]): Promise<string[]>
  /**
   * Records the delivered marks and parks given so far and starts reading again from what is stored
   * (the journal closes and reopens its file; the memory outbox has nothing to do).
   */
  restart(): Promise<void>
  close(): Promise<void>
}

/** Makes a fixture whose outbox serves these uplinks, with `now()` as the receive clock. */
export type OutboxFactory = (uplinks: readonly string[], now: () => number) => Promise<OutboxFixture>

const U = 'platform'
const OTHER = 'centre'
const ROUTINE = 5

function ids(rows: readonly OutboxRow[]): string[] {
  return rows.map((r) => r.id)
}

/**
 * The `Outbox` contract, written once and run against every implementation: the SQLite journal
 * (tests/integration/journal-outbox-contract.test.ts) and the memory outbox
 * (tests/unit/contracts/memory-outbox.test.ts). What the forwarder relies on, and only that.
 */
export function outboxContract(name: string, factory: OutboxFactory): void {
  describe(`Outbox contract: ${name}`, () => {
    let f: OutboxFixture
    let clock = 1_000_000
    beforeEach(async () => {
      clock = 1_000_000
      f = await factory([U, OTHER], () => clock)
    })
    afterEach(async () => {
      await f.close()
    })

    it('reads waiting events in commit order, each device in the order it sent them, page after page', async () => {
      const committed = await f.commit([{ device: 'a' }, { device: 'b' }, { device: 'a' }, { device: 'b' }, { device: 'a' }])
      const all = await f.outbox.page(U, 0, 100)
      expect(ids(all)).toEqual(committed)
      expect(all.map((r) => r.device)).toEqual(['a', 'b', 'a', 'b', 'a'])
      const positions = all.map((r) => r.pos)
      expect([...positions].sort((x, y) => x - y)).toEqual(positions)
      expect(new Set(positions).size).toBe(5)
      for (const r of all) expect(r).toMatchObject({ priority: ROUTINE, kind: expect.any(String), body: expect.any(String) })

      const first = await f.outbox.page(U, 0, 2)
      const rest = await f.outbox.page(U, first[1]!.pos, 100)
      expect([...ids(first), ...ids(rest)]).toEqual(committed)
      expect(await f.outbox.page(U, all[4]!.pos, 100)).toEqual([])
    })

    it('announces each commit with its rows, in the positions reads return', async () => {
      const announced: OutboxRow[] = []
      const listener = (rows: OutboxRow[]) => announced.push(...rows)
      f.outbox.on('committed', listener)
      await f.commit([{ device: 'a' }, { device: 'b', priority: 1 }])
      f.outbox.off('committed', listener)
      await f.commit([{ device: 'a' }])
      const read = await f.outbox.page(U, 0, 100)
      expect(announced.map((r) => [r.pos, r.id, r.device, r.priority])).toEqual(read.slice(0, 2).map((r) => [r.pos, r.id, r.device, r.priority]))
    })

    it("finds urgent events first, and each one's device's earlier events to send before it", async () => {
      const [a1, b1, a2, c1, , a3] = await f.commit([
        { device: 'a' },
        { device: 'b' },
        { device: 'a', priority: 1 },
        { device: 'c', priority: 2 },
        { device: 'b' },
        { device: 'a', priority: 3 },
      ])
      const all = await f.outbox.page(U, 0, 100)
      const pos = (id: string | undefined) => all.find((r) => r.id === id)!.pos
      const urgent = await f.outbox.urgent(U, 0, 2, 100)
      expect(ids(urgent)).toEqual([a2, c1])
      expect(ids(await f.outbox.urgent(U, 0, 2, 1))).toEqual([a2])
      expect(ids(await f.outbox.urgent(U, pos(a2), 2, 100))).toEqual([c1])
      // What must go before a2 so device a's order does not change: a1, and nothing of b.
      expect(ids(await f.outbox.devicePredecessors(U, 'a', 0, pos(a2), 100))).toEqual([a1])
      expect(ids(await f.outbox.devicePredecessors(U, 'a', 0, pos(a3), 100))).toEqual([a1, a2])
      expect(ids(await f.outbox.devicePredecessors(U, 'a', pos(a1), pos(a3), 100))).toEqual([a2])
      expect(await f.outbox.devicePredecessors(U, 'c', 0, pos(c1), 100)).toEqual([])
      expect(ids(await f.outbox.devicePredecessors(U, 'b', 0, pos(a3), 100))).toEqual([b1, all[4]!.id])
      // At most `limit`, the earliest first: a long run is read page by page.
      expect(ids(await f.outbox.devicePredecessors(U, 'a', 0, pos(a3), 1))).toEqual([a1])
      expect(ids(await f.outbox.devicePredecessors(U, 'b', pos(b1), pos(a3), 1))).toEqual([all[4]!.id])
    })

    it('no longer reads delivered events, for that uplink only', async () => {
      const committed = await f.commit([{ device: 'a' }, { device: 'a' }, { device: 'b', priority: 1 }, { device: 'a' }])
      const all = await f.outbox.page(U, 0, 100)
      f.outbox.ack(U, [all[0]!.pos, all[2]!.pos])
      await f.restart()
      expect(ids(await f.outbox.page(U, 0, 100))).toEqual([committed[1], committed[3]])
      expect(await f.outbox.urgent(U, 0, 2, 100)).toEqual([])
      expect(ids(await f.outbox.devicePredecessors(U, 'a', 0, all[3]!.pos, 100))).toEqual([committed[1]])
      expect(f.outbox.pendingCount(U)).toBe(2)
      expect((await f.outbox.oldest(U))?.pos).toBe(all[1]!.pos)
      // The other uplink has delivered nothing: it still reads everything.
      expect(ids(await f.outbox.page(OTHER, 0, 100))).toEqual(committed)
      expect(f.outbox.pendingCount(OTHER)).toBe(4)
      expect((await f.outbox.oldest(OTHER))?.pos).toBe(all[0]!.pos)

      f.outbox.ack(U, [all[1]!.pos, all[3]!.pos])
      await f.restart()
      expect(await f.outbox.page(U, 0, 100)).toEqual([])
      expect(await f.outbox.oldest(U)).toBeUndefined()
      expect(f.outbox.pendingCount(U)).toBe(0)
    })

    it('sets a parked event aside for one uplink: counted, never read again', async () => {
      const committed = await f.commit([{ device: 'a' }, { device: 'a', priority: 1 }, { device: 'a', priority: 1 }])
      const all = await f.outbox.page(U, 0, 100)
      f.outbox.park(U, all[1]!.pos)
      await f.restart()
      expect(ids(await f.outbox.page(U, 0, 100))).toEqual([committed[0], committed[2]])
      expect(ids(await f.outbox.urgent(U, 0, 2, 100))).toEqual([committed[2]])
      expect(ids(await f.outbox.devicePredecessors(U, 'a', 0, all[2]!.pos, 100))).toEqual([committed[0]])
      expect(await f.outbox.parkedCount(U)).toBe(1)
      expect(f.outbox.pendingCount(U)).toBe(2)
      expect(await f.outbox.parkedCount(OTHER)).toBe(0)
      expect(ids(await f.outbox.page(OTHER, 0, 100))).toEqual(committed)

      // A parked first event no longer holds the oldest-waiting age.
      f.outbox.park(U, all[0]!.pos)
      await f.restart()
      expect((await f.outbox.oldest(U))?.pos).toBe(all[2]!.pos)
      expect(await f.outbox.parkedCount(U)).toBe(2)
    })

    it('counts refused attempts per uplink and hands the count back with later reads', async () => {
      await f.commit([{ device: 'a' }, { device: 'a', priority: 1 }])
      const [first, second] = await f.outbox.page(U, 0, 100)
      expect([first!.attempts, second!.attempts]).toEqual([0, 0])
      f.outbox.attempted(U, second!.pos)
      f.outbox.attempted(U, second!.pos)
      f.outbox.attempted(OTHER, first!.pos)
      await f.restart()
      expect((await f.outbox.page(U, 0, 100)).map((r) => r.attempts)).toEqual([0, 2])
      expect((await f.outbox.urgent(U, 0, 2, 100)).map((r) => r.attempts)).toEqual([2])
      expect((await f.outbox.page(OTHER, 0, 100)).map((r) => r.attempts)).toEqual([1, 0])
      // Parked with the attempt that parked it: the count stays with the event.
      f.outbox.attempted(U, second!.pos)
      f.outbox.park(U, second!.pos)
      await f.restart()
      expect(await f.outbox.parkedCount(U)).toBe(1)
      expect((await f.outbox.devicePredecessors(U, 'a', 0, second!.pos + 1, 100)).map((r) => r.attempts)).toEqual([0])
    })

    it('tells when the oldest waiting event was received', async () => {
      expect(await f.outbox.oldest(U)).toBeUndefined()
      await f.commit([{ device: 'a' }])
      clock += 5000
      await f.commit([{ device: 'b' }])
      const [first] = await f.outbox.page(U, 0, 1)
      expect(await f.outbox.oldest(U)).toEqual({ pos: first!.pos, receivedAt: 1_000_000 })
    })

    it('reads everything still waiting again from the start after a reset, and after a restart', async () => {
      const committed = await f.commit(Array.from({ length: 12 }, (_, i) => ({ device: `d${i % 3}`, priority: i === 7 ? 1 : ROUTINE })))
      // A forwarder read two pages and had some acknowledged when its connection dropped.
      const p1 = await f.outbox.page(U, 0, 5)
      const p2 = await f.outbox.page(U, p1[4]!.pos, 5)
      f.outbox.ack(U, [p1[0]!.pos, p1[3]!.pos, p2[1]!.pos])
      const waiting = committed.filter((id) => ![p1[0]!.id, p1[3]!.id, p2[1]!.id].includes(id))
      await f.restart()
      expect(ids(await f.outbox.page(U, 0, 100))).toEqual(waiting)
      expect(ids(await f.outbox.urgent(U, 0, 2, 100))).toEqual([committed[7]])
      // Positions are never handed out again: what commits next comes after everything before.
      const [later] = await f.commit([{ device: 'd0' }])
      const again = await f.outbox.page(U, 0, 100)
      expect(ids(again)).toEqual([...waiting, later])
      expect(again[again.length - 1]!.pos).toBeGreaterThan(p2[4]!.pos)
    })
  })
}
