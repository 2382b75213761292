import { EventEmitter } from 'node:events'
import type { CommittedListener, Outbox, OutboxRow } from './outbox.js'

/** An event as it is committed to the memory outbox: its position is given on commit. */
export type MemoryOutboxInput = Omit<OutboxRow, 'pos'>

interface Stored {
  row: OutboxRow
  receivedAt: number
}

/**
 * An `Outbox` held in memory, for tests of the forwarder and of uplinks that need ordering and
 * refusal logic but no durability. It keeps the journal's contract (tests/unit/contracts/): one
 * outbox per uplink, positions in commit order, delivered and parked events no longer read. Marks
 * take effect at once, where the journal records them with its next commit.
 */
export class MemoryOutbox extends EventEmitter<{ committed: Parameters<CommittedListener> }> implements Outbox {
  private nextPos = 1
  /** Every committed event, in position order. */
  private readonly stored: Stored[] = []
  /** Per uplink, the positions still waiting and those parked. */
  private readonly waiting = new Map<string, Set<number>>()
  private readonly parked = new Map<string, Set<number>>()
  /** Per uplink, refused attempts by position. */
  private readonly attempts = new Map<string, Map<number, number>>()

  constructor(
    uplinks: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    super()
    for (const u of uplinks) {
      this.waiting.set(u, new Set())
      this.parked.set(u, new Set())
      this.attempts.set(u, new Map())
    }
  }

  /** Commits events in order for every uplink and announces them, as the journal does after COMMIT. */
  commit(events: readonly MemoryOutboxInput[]): OutboxRow[] {
    const receivedAt = this.now()
    const rows = events.map((e) => ({ ...e, pos: this.nextPos++ }))
    for (const row of rows) {
      this.stored.push({ row, receivedAt })
      for (const w of this.waiting.values()) w.add(row.pos)
    }
    if (rows.length > 0) this.emit('committed', rows)
    return rows
  }

  page(uplink: string, afterPos: number, limit: number): Promise<OutboxRow[]> {
    return this.read(uplink, afterPos, limit, () => true)
  }

  urgent(uplink: string, afterPos: number, maxPriority: number, limit: number): Promise<OutboxRow[]> {
    return this.read(uplink, afterPos, limit, (r) => r.priority <= maxPriority)
  }

  devicePredecessors(uplink: string, device: string, afterPos: number, beforePos: number, limit: number): Promise<OutboxRow[]> {
    return this.read(uplink, afterPos, limit, (r) => r.device === device && r.pos < beforePos)
  }

  async oldest(uplink: string): Promise<{ pos: number; receivedAt: number } | undefined> {
    const w = this.uplinkSet(this.waiting, uplink)
    const s = this.stored.find((x) => w.has(x.row.pos))
    return s ? { pos: s.row.pos, receivedAt: s.receivedAt } : undefined
  }

  async parkedCount(uplink: string): Promise<number> {
    return this.uplinkSet(this.parked, uplink).size
  }

  ack(uplink: string, positions: readonly number[]): void {
    const w = this.uplinkSet(this.waiting, uplink)
    for (const p of positions) w.delete(p)
  }

  park(uplink: string, pos: number): void {
    if (this.uplinkSet(this.waiting, uplink).delete(pos)) this.uplinkSet(this.parked, uplink).add(pos)
  }

  attempted(uplink: string, pos: number): void {
    const a = this.uplinkSet(this.attempts, uplink)
    a.set(pos, (a.get(pos) ?? 0) + 1)
  }

  pendingCount(uplink: string): number {
    return this.uplinkSet(this.waiting, uplink).size
  }

  private async read(uplink: string, afterPos: number, limit: number, keep: (r: OutboxRow) => boolean): Promise<OutboxRow[]> {
    const w = this.uplinkSet(this.waiting, uplink)
    const attempts = this.uplinkSet(this.attempts, uplink)
    const out: OutboxRow[] = []
    for (const { row } of this.stored) {
      if (out.length >= limit) break
      if (row.pos > afterPos && w.has(row.pos) && keep(row)) out.push({ ...row, attempts: attempts.get(row.pos) ?? 0 })
    }
    return out
  }

  /** An uplink that is not configured is a test's mistake: say which, rather than read nothing as the journal does. */
  private uplinkSet<T>(m: Map<string, T>, uplink: string): T {
    const s = m.get(uplink)
    if (!s) throw new Error(`the memory outbox has no uplink "${uplink}"; configure it in the constructor (has: ${[...m.keys()].join(', ')})`)
    return s
  }
}
