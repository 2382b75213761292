import type { Logger } from '../base/log.js'
import type { Faults } from '../base/faults.js'
import type { Outbox, OutboxRow } from './outbox.js'
import { UplinkError, errorMessage } from '../base/errors.js'
import type { CloseSuspect, Uplink } from './uplink.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../base/timers.js'
import { ReadPlan } from './read-plan.js'
import { RefusalPolicy } from './refusal-policy.js'
import { ForwarderStats, type ForwarderStatus } from './forwarder-stats.js'

export type { ForwarderStatus } from './forwarder-stats.js'

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
  /** Fault points for the fault-injection suite (base/faults.ts); none by default. */
  faults?: Faults
  /** Told of each event the uplink acknowledged (a walk test's uplink path check waits for its own). */
  onDelivered?(row: OutboxRow): void
}

/**
 * Drains one uplink's outbox: at-least-once, in journal order per device, with a bounded window.
 * What to send next is the read plan's (`read-plan.ts`); what a refusal costs is the refusal
 * policy's (`refusal-policy.ts`). This file keeps the in-flight window: it sends, records the
 * acknowledgements in the outbox, and on a lost connection forgets everything unacknowledged, which
 * the plan then reads again from the journal.
 */
export class Forwarder {
  private readonly plan: ReadPlan
  private readonly policy: RefusalPolicy
  private readonly stats: ForwarderStats
  private readonly inflight = new Map<number, OutboxRow>()
  private stopped = true
  private retryTimer: TimerHandle | undefined
  private onDrained: (() => void) | undefined
  private readonly onCommitted = (rows: OutboxRow[]) => this.committed(rows)
  private readonly onUp = () => this.restart()
  private readonly onDown = (_reason: string, suspect?: CloseSuspect) => this.lost(suspect)
  private readonly timers: Timers

  constructor(private readonly opts: ForwarderOptions) {
    this.timers = opts.timers ?? SYSTEM_TIMERS
    this.plan = new ReadPlan(opts.outbox, opts.uplink.id, (pos) => this.inflight.has(pos))
    this.policy = new RefusalPolicy(opts.uplink.id, opts.log)
    this.stats = new ForwarderStats(opts.log)
  }

  start(): void {
    this.stopped = false
    this.stats.started(this.opts.now())
    this.opts.outbox.on('committed', this.onCommitted)
    this.opts.uplink.on('up', this.onUp)
    this.opts.uplink.on('down', this.onDown)
    if (this.opts.uplink.state === 'up') this.restart()
  }

  private committed(rows: OutboxRow[]): void {
    // Caught up, the rows are queued; otherwise pump() reads more when the queue runs low.
    this.plan.committed(rows)
    this.pump()
  }

  /** Connected (again): forget what was in flight and read everything unacknowledged from the journal. */
  private restart(): void {
    this.resetReading()
    this.policy.connected()
    this.pump()
  }

  /**
   * The connection dropped. It counts against an event only when that event is what the broker
   * stopped at (the uplink's suspect); a close after a status or command result publish is the
   * uplink's to handle, and the events in flight are innocent.
   */
  private lost(suspect?: CloseSuspect): void {
    const blamed = suspect?.kind === 'event' ? this.inflight.get(suspect.pos) : undefined
    if (this.policy.dropped(blamed !== undefined)) this.refused(blamed!, `the connection closed each time it was published on ${suspect!.topic}`)
    this.resetReading()
  }

  private resetReading(): void {
    this.plan.reset()
    this.inflight.clear()
    this.drained()
  }

  private pump(): void {
    const up = this.opts.uplink
    const window = this.policy.window(up.window)
    while (!this.stopped && up.state === 'up' && this.inflight.size < window) {
      const row = this.plan.next()
      if (!row) break
      if (this.inflight.has(row.pos)) continue
      this.send(row)
    }
    if (this.plan.wantsRead() && up.state === 'up') void this.refill()
  }

  private send(row: OutboxRow): void {
    this.inflight.set(row.pos, row)
    const epoch = this.plan.epoch
    this.opts.uplink.send(row).then(
      () => epoch === this.plan.epoch && this.acked(row),
      (err: unknown) => epoch === this.plan.epoch && this.failed(row, err),
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
    this.stats.acked(this.opts.now())
    this.opts.onDelivered?.(row)
    this.policy.acknowledged(row.pos)
    this.pump()
  }

  private failed(row: OutboxRow, err: unknown): void {
    if (!this.inflight.delete(row.pos)) return
    this.drained()
    if (err instanceof UplinkError && err.refused) this.refused(row, errorMessage(err))
    // Otherwise the link failed: `lost()` resets and the journal has the event.
  }

  /** Counts a refused attempt of one event (in the outbox too); parks it after maxAttempts, else it is sent again later. */
  private refused(row: OutboxRow, reason: string): void {
    const uplink = this.opts.uplink.id
    const n = this.policy.refused(row.pos, row.attempts, this.opts.maxAttempts)
    this.opts.outbox.attempted(uplink, row.pos)
    if (n >= this.opts.maxAttempts) {
      this.opts.outbox.park(uplink, row.pos)
      this.opts.log.error({ uplink, event: row.id, device: row.device, attempts: n, reason }, 'event set aside: the platform keeps refusing it')
      this.opts.onParked(row, reason)
      return
    }
    this.opts.log.warn({ uplink, event: row.id, device: row.device, attempt: n, reason }, 'platform refused an event; it will be sent again')
    // Read again from the journal, where the refused event still waits, in order.
    this.resetReading()
    this.retryLater(n)
  }

  /** Pumps again after a delay that grows with `n` (a refused event's attempts, failed reads). */
  private retryLater(n: number): void {
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer)
    this.retryTimer = this.timers.setTimeout(
      () => {
        this.retryTimer = undefined
        this.pump()
      },
      Math.min(30_000, 250 * 2 ** n),
    )
  }

  private async refill(): Promise<void> {
    const epoch = this.plan.epoch
    try {
      if ((await this.plan.read(() => this.stopped)) !== 'read') return
      this.stats.readOk()
    } catch (err) {
      this.stats.readFailed(err)
      this.retryLater(Math.min(this.stats.failures, 7))
      return
    }
    // More to send, or commits arrived during the read: go on. A reset started its own read.
    if (epoch === this.plan.epoch && !this.stopped && this.plan.hasMore()) setImmediate(() => this.pump())
  }

  async status(): Promise<ForwarderStatus> {
    const now = this.opts.now()
    const uplink = this.opts.uplink.id
    const outbox = this.opts.outbox
    const base = {
      state: this.opts.uplink.state,
      backlog: outbox.pendingCount(uplink),
      inflight: this.inflight.size,
      delivered: this.stats.delivered,
      lastAckAt: this.stats.lastAckAt,
      deliveryRatePerSec: this.stats.rate(now),
    }
    try {
      const [oldest, parked] = await Promise.all([outbox.oldest(uplink), outbox.parkedCount(uplink)])
      this.stats.readOk()
      return { ...base, oldestUndeliveredAgeMs: oldest ? Math.max(0, now - oldest.receivedAt) : null, parked, outboxError: null }
    } catch (err) {
      // Unknown is not zero: a health check must not read "no backlog" off a journal it cannot read.
      this.stats.readFailed(err)
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
