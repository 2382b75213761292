import { performance } from 'node:perf_hooks'
import { AckQueue, NO_WORK, type AckWork } from './ack-queue.js'
import type { QueuedAppend } from './types.js'

/** Acknowledgements wait this long for company before their commit. */
export const ACK_DELAY_MS = 5

export interface GroupCommitOptions {
  batchMaxEvents: number
  /**
   * Commits one batch with the acknowledgements and the age sweep taken with it. True when all of
   * it is done; false when work was given back, with how long to wait before trying again.
   */
  commit(batch: QueuedAppend[], work: AckWork, sweep: boolean): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>
  /**
   * Whether this batch's commit may evict (the journal is full, or the batch passes a bound): it
   * then carries the queued acknowledgements, since what is delivered decides what goes first.
   */
  mayEvict(batch: readonly QueuedAppend[]): boolean
}

/**
 * Group-commit scheduling: appends queue up and run at once, in batches of at most
 * `batchMaxEvents`, while acknowledgements wait a little to share a commit (longer after a failure).
 * One commit runs at a time: every append that arrives while it is in flight joins the next one.
 * Events and acknowledgements commit apart, each as one statement where it can (transaction.ts):
 * an event's commit does not wait for the platform's acknowledgements to be recorded with it.
 * Acknowledgements go once they have waited ACK_DELAY_MS, ahead of the events then queued, so a
 * flood of events never holds them back; and with any commit that may evict or sweeps.
 */
export class GroupCommit {
  readonly queue: QueuedAppend[] = []
  readonly acks = new AckQueue()
  private sweepDue = false
  private flushing: Promise<void> | undefined
  private immediate: NodeJS.Immediate | undefined
  private timer: NodeJS.Timeout | undefined
  private retryAfterMs = 0
  private stopped = false
  /** When the oldest acknowledgement now queued was queued (performance.now). */
  private acksSince = 0
  /** Draining: acknowledgements go without waiting for company. */
  private forcing = false

  constructor(private readonly opts: GroupCommitOptions) {}

  enqueue(q: QueuedAppend): void {
    this.queue.push(q)
    this.schedule(true)
  }

  /** Takes the queued appends of these devices out of the queue (their earlier events were refused). */
  takeQueued(devices: ReadonlySet<string>): QueuedAppend[] {
    const taken: QueuedAppend[] = []
    let kept = 0
    for (const q of this.queue) {
      if (devices.has(q.input.event.device)) taken.push(q)
      else this.queue[kept++] = q
    }
    this.queue.length = kept
    return taken
  }

  /** Acknowledgements, parks or attempts were queued on `acks`. */
  ackQueued(): void {
    if (this.acks.size > 0 && this.acksSince === 0) this.acksSince = performance.now()
    this.schedule(false)
  }

  requestSweep(): void {
    this.sweepDue = true
    this.schedule(false)
  }

  private schedule(urgent: boolean): void {
    if (this.stopped || this.flushing || this.immediate !== undefined) return
    if (urgent) {
      if (this.timer !== undefined) clearTimeout(this.timer)
      this.timer = undefined
      this.immediate = setImmediate(() => void this.flush())
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), Math.max(ACK_DELAY_MS, this.retryAfterMs))
    }
  }

  private flush(): Promise<void> {
    this.immediate = undefined
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.flushing) return this.flushing
    this.flushing = this.loop().finally(() => {
      this.flushing = undefined
      if (this.hasWork()) this.schedule(this.queue.length > 0)
    })
    return this.flushing
  }

  private async loop(): Promise<void> {
    // Once acknowledgements fail to commit, this pass goes on with the events alone: a journal that
    // cannot record acknowledgements (a full disk) must still answer every event queued behind them.
    let acksFailed = false
    while (this.hasWork()) {
      const acksDue = !acksFailed && this.acks.size > 0 && (this.forcing || performance.now() - this.acksSince >= ACK_DELAY_MS)
      // Acknowledgements not yet due wait for company; their timer comes back for them.
      if (!acksDue && this.queue.length === 0 && !this.sweepDue) return
      const batch = acksDue ? [] : this.queue.splice(0, this.opts.batchMaxEvents)
      const sweep = this.sweepDue
      const carry = acksDue || (!acksFailed && this.acks.size > 0 && (sweep || this.opts.mayEvict(batch)))
      const work = carry ? this.takeAcks() : NO_WORK
      this.sweepDue = false
      const r = await this.opts.commit(batch, work, sweep)
      if (r.ok) {
        this.retryAfterMs = 0
        continue
      }
      if (sweep) this.sweepDue = true
      this.retryAfterMs = r.retryAfterMs
      if (carry && batch.length === 0 && this.queue.length > 0) {
        acksFailed = true
        continue
      }
      // Nothing more until new events arrive or the retry delay passes: a failing journal must not spin.
      return
    }
  }

  private takeAcks(): AckWork {
    this.acksSince = 0
    return this.acks.take()
  }

  hasWork(): boolean {
    return !this.stopped && (this.queue.length > 0 || this.acks.size > 0 || this.sweepDue)
  }

  /**
   * Waits for the commit in flight, then commits what is left without the retry delay or the
   * acknowledgements' wait: what is queued now (events and acknowledgements in commits of their
   * own), then what a failed pass gave back. Each pass awaits the commit's own promise; nothing polls.
   */
  async drain(): Promise<void> {
    this.forcing = true
    for (let pass = 0; pass < 3 && (this.flushing !== undefined || this.hasWork()); pass++) {
      if (this.flushing) await this.flushing
      this.retryAfterMs = 0
      if (this.hasWork()) await this.flush()
    }
  }

  /** No more commits; returns what was still queued, for the caller to refuse. */
  stop(): QueuedAppend[] {
    this.stopped = true
    if (this.immediate !== undefined) clearImmediate(this.immediate)
    if (this.timer !== undefined) clearTimeout(this.timer)
    return this.queue.splice(0)
  }

  /** Resolves when a commit still running has ended (busy_timeout bounds it). */
  async settled(): Promise<void> {
    await this.flushing?.catch(() => undefined)
  }
}
