import type { Logger } from '../gateway/log.js'
import type { Faults } from '../gateway/faults.js'
import type { Outbox, OutboxRow } from './outbox.js'
import { UplinkError, errorMessage } from '../gateway/errors.js'
import type { CloseSuspect, Uplink } from './uplink.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../gateway/timers.js'

/** Rows read from the outbox at a time during a backlog. */
const PAGE = 1000
/** Rows the live path may hold before it falls back to reading the outbox. */
const LIVE_MAX = 5000
/** Priority 1 (life safety) and 2 (security) drain ahead of the rest during a backlog. */
const URGENT_MAX_PRIORITY = 2
/** After this many connections lost with events in flight and none acknowledged, send one at a time. */
const PROBE_AFTER_DROPS = 2
const PROBE_SUCCESSES_TO_LEAVE = 20

export interface ForwarderOptions {
  uplink: Uplink
  /** Where the uplink's events wait: the gateway's journal, or `MemoryOutbox` in tests. */
  outbox: Outbox
  log: Logger
  now(): number
  /** Retry delays and the stop grace period; defaults to the system's. */
  timers?: Timers
  /** A refused event is tried this many times, then parked. */
  maxAttempts: number
  /** Reported as an `uplink.parked` gateway event. */
  onParked(row: OutboxRow, reason: string): void
  /** Fault points for the fault-injection suite (gateway/faults.ts); none by default. */
  faults?: Faults
  /** Told of each event the uplink acknowledged (a walk test's uplink path check waits for its own). */
  onDelivered?(row: OutboxRow): void
}

export interface ForwarderStatus {
  state: string
  backlog: number
  inflight: number
  /** null when nothing waits, or when the outbox could not be read (then `outboxError` says why). */
  oldestUndeliveredAgeMs: number | null
  delivered: number
  deliveryRatePerSec: number
  /** null when the outbox could not be read. */
  parked: number | null
  /** Why the outbox cannot be read, while it cannot: the backlog figures are then unknown. */
  outboxError: string | null
}

/**
 * Drains one uplink's outbox: at-least-once, in journal order per device, with a bounded window.
 *
 * Live path: events committed while the forwarder is caught up go straight from the journal's
 * commit notification to the uplink. Backlog path: pages read from the outbox after `cursor`; before
 * each page, urgent events (priority <= 2) after the cursor are sent first, each preceded by its own
 * device's earlier undelivered events so no device's order changes. On a lost connection everything
 * unacknowledged is read again from the journal.
 */
export class Forwarder {
  private cursor = 0
  /**
   * Bumped by every reset of the read plan. A read or a send started under an older epoch is void:
   * after a fast reconnect its rows would land in the fresh queue ahead of the device's earlier
   * events (the cursor alone cannot tell, it is often 0 both before and after).
   */
  private epoch = 0
  /** The epoch of the outbox read in progress, if any. */
  private readingEpoch: number | undefined
  private urgentCursor = 0
  private lastCommitted = 0
  private live = false
  private stopped = true
  private retryTimer: TimerHandle | undefined
  /** Consecutive failed outbox reads, and the last error, reported in status(). */
  private readFailures = 0
  private onDrained: (() => void) | undefined
  private queue: OutboxRow[] = []
  private readonly inflight = new Map<number, OutboxRow>()
  private readonly sentAhead = new Set<number>()
  /** Per device, the last position queued ahead of the cursor by the urgent pass. */
  private readonly aheadOf = new Map<string, number>()
  private readonly attempts = new Map<number, number>()
  private ackedSinceUp = 0
  private drops = 0
  private probe = false
  private probeSuccesses = 0
  private delivered = 0
  private rateMark = { at: 0, delivered: 0, rate: 0 }
  private readonly onCommitted = (rows: OutboxRow[]) => this.committed(rows)
  private readonly onUp = () => this.restart()
  private readonly onDown = (_reason: string, suspect?: CloseSuspect) => this.lost(suspect)

  private readonly timers: Timers

  constructor(private readonly opts: ForwarderOptions) {
    this.timers = opts.timers ?? SYSTEM_TIMERS
  }

  start(): void {
    this.stopped = false
    this.rateMark = { at: this.opts.now(), delivered: 0, rate: 0 }
    this.opts.outbox.on('committed', this.onCommitted)
    this.opts.uplink.on('up', this.onUp)
    this.opts.uplink.on('down', this.onDown)
    if (this.opts.uplink.state === 'up') this.restart()
  }

  private committed(rows: OutboxRow[]): void {
    const last = rows[rows.length - 1]
    if (last) this.lastCommitted = Math.max(this.lastCommitted, last.pos)
    if (!this.live) {
      this.pump() // reading the outbox: it is there, and pump() reads more when the queue runs low
      return
    }
    for (const r of rows) {
      if (r.pos <= this.cursor) continue
      this.queue.push(r)
      this.cursor = r.pos
    }
    if (this.queue.length > LIVE_MAX) this.live = false // fall behind: read the rest from the outbox
    this.pump()
  }

  /** Connected (again): forget what was in flight and read everything unacknowledged from the journal. */
  private restart(): void {
    this.resetReading()
    this.ackedSinceUp = 0
    this.pump()
  }

  /**
   * The connection dropped. It counts against an event only when that event is what the broker
   * stopped at (the uplink's suspect); a close after a status or command result publish is the
   * uplink's to handle, and the events in flight are innocent.
   */
  private lost(suspect?: CloseSuspect): void {
    const blamed = suspect?.kind === 'event' ? this.inflight.get(suspect.pos) : undefined
    if (blamed && this.ackedSinceUp === 0) {
      this.drops++
      if (this.probe) this.countProbeFailure(blamed, `the connection closed each time it was published on ${suspect!.topic}`)
      if (this.drops >= PROBE_AFTER_DROPS && !this.probe) {
        this.probe = true
        this.probeSuccesses = 0
        this.opts.log.warn({ uplink: this.opts.uplink.id }, 'connection keeps dropping with events in flight: sending one at a time to find the one refused')
      }
    }
    this.resetReading()
  }

  private resetReading(): void {
    this.epoch++
    this.readingEpoch = undefined
    this.inflight.clear()
    this.drained()
    this.queue = []
    this.sentAhead.clear()
    this.aheadOf.clear()
    this.cursor = 0
    this.urgentCursor = 0
    this.live = false
  }

  private window(): number {
    return this.probe ? 1 : this.opts.uplink.window
  }

  private pump(): void {
    const up = this.opts.uplink
    while (!this.stopped && up.state === 'up' && this.inflight.size < this.window()) {
      const row = this.queue.shift()
      if (!row) break
      if (this.inflight.has(row.pos)) continue
      this.send(row)
    }
    // Read the next page before the queue runs dry, so the link never waits on SQLite.
    if (!this.live && this.queue.length < PAGE / 2 && up.state === 'up') void this.refill()
  }

  private send(row: OutboxRow): void {
    this.inflight.set(row.pos, row)
    const epoch = this.epoch
    this.opts.uplink.send(row).then(
      () => epoch === this.epoch && this.acked(row),
      (err: unknown) => epoch === this.epoch && this.failed(row, err),
    )
  }

  private drained(): void {
    if (this.inflight.size === 0) this.onDrained?.()
  }

  private acked(row: OutboxRow): void {
    if (!this.inflight.delete(row.pos)) return
    this.opts.faults?.reach('forwarder.acked')
    this.drained()
    this.opts.outbox.ack(this.opts.uplink.id, [row.pos])
    this.attempts.delete(row.pos)
    this.delivered++
    this.ackedSinceUp++
    this.opts.onDelivered?.(row)
    this.drops = 0
    if (this.probe && ++this.probeSuccesses >= PROBE_SUCCESSES_TO_LEAVE) {
      this.probe = false
      this.opts.log.info({ uplink: this.opts.uplink.id }, 'uplink stable again: full window')
    }
    this.pump()
  }

  private failed(row: OutboxRow, err: unknown): void {
    if (!this.inflight.delete(row.pos)) return
    this.drained()
    if (err instanceof UplinkError && err.refused) {
      this.countProbeFailure(row, errorMessage(err))
      return
    }
    // The link failed: `lost()` resets and the journal has the event; nothing else to do here.
  }

  /** Counts a failed attempt of one event; parks it after maxAttempts, else it is sent again later. */
  private countProbeFailure(row: OutboxRow, reason: string): void {
    // The stored count carries attempts over a restart; this run's own count is ahead of it until recorded.
    const n = Math.max(this.attempts.get(row.pos) ?? 0, row.attempts ?? 0) + 1
    this.attempts.set(row.pos, n)
    this.opts.outbox.attempted(this.opts.uplink.id, row.pos)
    if (n >= this.opts.maxAttempts) {
      this.attempts.delete(row.pos)
      this.opts.outbox.park(this.opts.uplink.id, row.pos)
      this.opts.log.error({ uplink: this.opts.uplink.id, event: row.id, device: row.device, attempts: n, reason }, 'event set aside: the platform keeps refusing it')
      this.opts.onParked(row, reason)
      return
    }
    this.opts.log.warn({ uplink: this.opts.uplink.id, event: row.id, device: row.device, attempt: n, reason }, 'platform refused an event; it will be sent again')
    // Read again from the journal, where the refused event still waits, in order.
    this.resetReading()
    this.retryLater(n)
  }

  /** Pumps again after a delay that grows with `n` (a refused event's attempts, failed reads). */
  private retryLater(n: number): void {
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer)
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined
      this.pump()
    }, Math.min(30_000, 250 * 2 ** n))
  }

  /** Logged once, then counted at debug: a broken journal would otherwise log at every retry. */
  private readFailed(err: unknown): void {
    if (++this.readFailures === 1) {
      this.opts.log.error({ err }, 'cannot read the outbox: events wait in the journal until it can be read')
    } else {
      this.opts.log.debug({ err, failures: this.readFailures }, 'outbox still unreadable')
    }
  }

  private readOk(): void {
    if (this.readFailures === 0) return
    this.opts.log.info({ failures: this.readFailures }, 'outbox readable again')
    this.readFailures = 0
  }

  private async refill(): Promise<void> {
    if (this.readingEpoch === this.epoch || this.stopped) return
    const epoch = (this.readingEpoch = this.epoch)
    // After every await: a reset since the read began voids it, whatever the cursor says.
    const stale = () => epoch !== this.epoch || this.stopped
    const uplink = this.opts.uplink.id
    const outbox = this.opts.outbox
    try {
      const startCursor = this.cursor
      const urgent = await outbox.urgent(uplink, Math.max(this.urgentCursor, startCursor), URGENT_MAX_PRIORITY, 100)
      if (stale()) return
      for (const u of urgent) {
        this.urgentCursor = Math.max(this.urgentCursor, u.pos)
        if (this.sentAhead.has(u.pos) || this.inflight.has(u.pos)) continue
        // Only what lies after what this device already has queued ahead: each row is read once.
        const from = Math.max(startCursor, this.aheadOf.get(u.device) ?? 0)
        const before = await outbox.devicePredecessors(uplink, u.device, from, u.pos)
        if (stale()) return
        for (const p of before) {
          if (this.sentAhead.has(p.pos) || this.inflight.has(p.pos)) continue
          this.queue.push(p)
          this.sentAhead.add(p.pos)
        }
        this.queue.push(u)
        this.sentAhead.add(u.pos)
        this.aheadOf.set(u.device, u.pos)
      }
      // Every commit notified before the read began is visible to it (WAL snapshot at query start).
      const committedBefore = this.lastCommitted
      const page = await outbox.page(uplink, startCursor, PAGE)
      if (stale()) return
      for (const r of page) {
        if (!this.sentAhead.delete(r.pos) && !this.inflight.has(r.pos)) this.queue.push(r)
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
      this.readOk()
    } catch (err) {
      if (stale()) return
      this.readFailed(err)
      this.retryLater(Math.min(this.readFailures, 7))
      return
    } finally {
      if (this.readingEpoch === epoch) this.readingEpoch = undefined
    }
    // More to send, or commits arrived during the read: go on. A reset started its own read.
    if (!stale() && (this.queue.length > 0 || !this.live)) setImmediate(() => this.pump())
  }

  async status(): Promise<ForwarderStatus> {
    const now = this.opts.now()
    const dt = now - this.rateMark.at
    if (dt >= 1000) {
      this.rateMark = { at: now, delivered: this.delivered, rate: ((this.delivered - this.rateMark.delivered) * 1000) / dt }
    }
    const uplink = this.opts.uplink.id
    const outbox = this.opts.outbox
    const base = {
      state: this.opts.uplink.state,
      backlog: this.opts.outbox.pendingCount(uplink),
      inflight: this.inflight.size,
      delivered: this.delivered,
      deliveryRatePerSec: Math.round(this.rateMark.rate * 10) / 10,
    }
    try {
      const [oldest, parked] = await Promise.all([outbox.oldest(uplink), outbox.parkedCount(uplink)])
      this.readOk()
      return { ...base, oldestUndeliveredAgeMs: oldest ? Math.max(0, now - oldest.receivedAt) : null, parked, outboxError: null }
    } catch (err) {
      // Unknown is not zero: a health check must not read "no backlog" off a journal it cannot read.
      this.readFailed(err)
      return { ...base, oldestUndeliveredAgeMs: null, parked: null, outboxError: errorMessage(err) }
    }
  }

  /** Stops sending and waits (up to `graceMs`) for what is in flight to be acknowledged. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer)
    if (this.inflight.size > 0 && this.opts.uplink.state === 'up') {
      await new Promise<void>((resolve) => {
        const timer = this.timers.setTimeout(() => resolve(), graceMs)
        this.onDrained = () => {
          this.timers.clearTimeout(timer)
          resolve()
        }
      })
      this.onDrained = undefined
    }
    this.opts.outbox.off('committed', this.onCommitted)
    this.opts.uplink.off('up', this.onUp)
    this.opts.uplink.off('down', this.onDown)
  }
}
