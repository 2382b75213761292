import { AckQueue, type AckWork } from './ack-queue.js'
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
}

/**
 * Group-commit scheduling: appends queue up and run at once, in batches of at most
 * `batchMaxEvents`, while acknowledgements wait a little to share a commit (longer after a failure).
 * One commit runs at a time: every append that arrives while it is in flight joins the next one.
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
    while (this.hasWork()) {
      const batch = this.queue.splice(0, this.opts.batchMaxEvents)
      const work = this.acks.take()
      const sweep = this.sweepDue
      this.sweepDue = false
      const r = await this.opts.commit(batch, work, sweep)
      if (r.ok) {
        this.retryAfterMs = 0
        continue
      }
      // Nothing more until new events arrive or the retry delay passes: a failing journal must not spin.
      if (sweep) this.sweepDue = true
      this.retryAfterMs = r.retryAfterMs
      return
    }
  }

  hasWork(): boolean {
    return !this.stopped && (this.queue.length > 0 || this.acks.size > 0 || this.sweepDue)
  }

  /**
   * Waits for the commit in flight, then commits what is left without the retry delay: two passes,
   * what is queued now, then the acknowledgements a failed pass gave back. Each pass awaits the
   * commit's own promise; nothing polls.
   */
  async drain(): Promise<void> {
    for (let pass = 0; pass < 2 && (this.flushing !== undefined || this.hasWork()); pass++) {
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
