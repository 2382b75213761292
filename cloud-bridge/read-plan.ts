import type { OutboxReads, OutboxRow } from './outbox.js'

/** Rows read from the outbox at a time during a backlog. */
export const PAGE = 1000
/** Rows the live path may hold before it falls back to reading the outbox. */
const LIVE_MAX = 5000
/** Priority 1 (life safety) and 2 (security) drain ahead of the rest during a backlog. */
const URGENT_MAX_PRIORITY = 2
const URGENT_READ = 100

/** How a read ended: rows queued, or nothing to do (one was running, or a reset voided it). */
export type ReadOutcome = 'read' | 'busy' | 'stale'

/**
 * What one uplink sends next, in journal order per device.
 *
 * Live path: events committed while the plan is caught up are queued straight from the commit
 * notification. Backlog path: pages read from the outbox after `cursor`; before each page, every
 * urgent event (priority <= 2) after the cursor is queued first, a batch per read, each preceded
 * by its own device's earlier undelivered events so no device's order changes. Each row is read once.
 * A read queues at most `PAGE` of those earlier events: a device with a long run of information
 * before its alarm (a camera's motion during an outage) has them read page by page, its alarm after
 * the last, so memory stays bounded whatever the backlog holds.
 */
export class ReadPlan {
  private cursor = 0
  /**
   * Bumped by every reset. A read or a send started under an older epoch is void: after a fast
   * reconnect its rows would land in the fresh queue ahead of the device's earlier events (the
   * cursor alone cannot tell, it is often 0 both before and after).
   */
  epoch = 0
  /** The epoch of the outbox read in progress, if any. */
  private readingEpoch: number | undefined
  private urgentCursor = 0
  private lastCommitted = 0
  private live = false
  private queue: OutboxRow[] = []
  private readonly sentAhead = new Set<number>()
  /** Per device, the last position queued ahead of the cursor by the urgent pass. */
  private readonly aheadOf = new Map<string, number>()

  constructor(
    private readonly outbox: OutboxReads,
    private readonly uplink: string,
    /** Rows already sent and not yet acknowledged are not queued again. */
    private readonly inflight: (pos: number) => boolean,
  ) {}

  /** Forgets everything queued: the next read starts again from the first unacknowledged row. */
  reset(): void {
    this.epoch++
    this.readingEpoch = undefined
    this.queue = []
    this.sentAhead.clear()
    this.aheadOf.clear()
    this.cursor = 0
    this.urgentCursor = 0
    this.live = false
  }

  /** A commit's rows: queued when caught up; otherwise the outbox has them for a later read. */
  committed(rows: readonly OutboxRow[]): void {
    const last = rows[rows.length - 1]
    if (last) this.lastCommitted = Math.max(this.lastCommitted, last.pos)
    if (!this.live) return
    for (const r of rows) {
      if (r.pos <= this.cursor) continue
      this.queue.push(r)
      this.cursor = r.pos
    }
    if (this.queue.length > LIVE_MAX) this.live = false // fall behind: read the rest from the outbox
  }

  next(): OutboxRow | undefined {
    return this.queue.shift()
  }

  /** Read the next page before the queue runs dry, so the link never waits on SQLite. */
  wantsRead(): boolean {
    return !this.live && this.queue.length < PAGE / 2
  }

  /** More to send, or commits may have arrived during a read. */
  hasMore(): boolean {
    return this.queue.length > 0 || !this.live
  }

  /**
   * Reads the next batch of urgent rows; once none is left after the cursor, the next page too.
   * Throws what the outbox threw.
   */
  async read(stopped: () => boolean): Promise<ReadOutcome> {
    if (this.readingEpoch === this.epoch || stopped()) return 'busy'
    const epoch = (this.readingEpoch = this.epoch)
    // After every await: a reset since the read began voids it, whatever the cursor says.
    const stale = () => epoch !== this.epoch || stopped()
    const { outbox, uplink } = this
    try {
      const startCursor = this.cursor
      // Every commit notified before a query began is visible to it (WAL snapshot at query start).
      const committedBeforeUrgent = this.lastCommitted
      const urgent = await outbox.urgent(uplink, Math.max(this.urgentCursor, startCursor), URGENT_MAX_PRIORITY, URGENT_READ)
      if (stale()) return 'stale'
      let budget = PAGE
      for (const u of urgent) {
        if (this.sentAhead.has(u.pos) || this.inflight(u.pos)) {
          this.urgentCursor = Math.max(this.urgentCursor, u.pos)
          continue
        }
        // The urgent cursor stays before `u` until `u` is queued: a read that stops short of it
        // (the budget spent on its device's earlier events) finds it again next time.
        if (budget === 0) return 'read'
        // Only what lies after what this device already has queued ahead: each row is read once.
        const from = Math.max(startCursor, this.aheadOf.get(u.device) ?? 0)
        const before = await outbox.devicePredecessors(uplink, u.device, from, u.pos, budget)
        if (stale()) return 'stale'
        for (const p of before) {
          this.aheadOf.set(u.device, p.pos)
          if (this.sentAhead.has(p.pos) || this.inflight(p.pos)) continue
          this.queue.push(p)
          this.sentAhead.add(p.pos)
        }
        // A full page: more of this device's events may lie before `u`; they go first, next read.
        if (before.length === budget) return 'read'
        budget -= before.length
        this.queue.push(u)
        this.sentAhead.add(u.pos)
        this.aheadOf.set(u.device, u.pos)
        this.urgentCursor = Math.max(this.urgentCursor, u.pos)
      }
      // A full batch: more urgent events may wait after it, and they all go before the next
      // information page, however many they are (a tenth of a backlog or more after an outage).
      if (urgent.length === URGENT_READ) return 'read'
      // None is left up to what was committed when the query began: the next urgent read starts
      // after it instead of scanning the whole backlog again for each page.
      this.urgentCursor = Math.max(this.urgentCursor, committedBeforeUrgent)
      const committedBefore = this.lastCommitted
      const page = await outbox.page(uplink, startCursor, PAGE)
      if (stale()) return 'stale'
      for (const r of page) {
        if (!this.sentAhead.delete(r.pos) && !this.inflight(r.pos)) this.queue.push(r)
        this.cursor = r.pos
      }
      if (page.length < PAGE) {
        // A short page read all that was committed: what it did not return is acknowledged or gone.
        this.cursor = Math.max(this.cursor, committedBefore)
        // Caught up: whatever commits next arrives through the live path.
        if (this.cursor >= this.lastCommitted) {
          this.live = true
          this.sentAhead.clear()
          this.aheadOf.clear()
        }
      }
      return 'read'
    } catch (err) {
      if (stale()) return 'stale'
      throw err
    } finally {
      if (this.readingEpoch === epoch) this.readingEpoch = undefined
    }
  }
}
