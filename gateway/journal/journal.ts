import { EventEmitter } from 'node:events'
import { NO_FAULTS } from '../../base/faults.js'
import { EventOrderError, JournalError, errorMessage } from '../../base/errors.js'
import { exec, closeDb } from './sqlite.js'
import type { EvictionReport, JournalLimits } from './eviction.js'
import { Evictor } from './evictor.js'
import { serializeUnsequenced } from './writes.js'
import { OutboxReader, type OutboxRow } from './outbox.js'
import type { AppendInput, AppendResult, JournalEvents, JournalOptions, JournalStats, QueuedAppend } from './types.js'
import type { AckWork } from './ack-queue.js'
import { FullEpisode } from './full-episode.js'
import { JournalCounters, loadFromDisk } from './counters.js'
import { GroupCommit } from './group-commit.js'
import { BatchCommitter } from './batch-commit.js'
import { commitTransaction, type Committed } from './transaction.js'
import { recoverFromFull } from './full-recovery.js'
import { OrderBarrier } from './order-barrier.js'
import { bootMonotonicMs } from './mono-clock.js'
import { openJournalFiles, type OpenedJournal } from './open.js'
import type { Outbox } from '../../cloud-bridge/outbox.js'

export type { OutboxRow }
export type { AppendInput, AppendResult, FullSummary, JournalEvents, JournalOptions, JournalStats } from './types.js'

const DEFAULT_CLOSE_TIMEOUT_MS = 5000

/**
 * The durable journal and outbox. Appends wait in a queue and are written together, in one
 * transaction with multi-row statements (group commit, group-commit.ts): one fsync serves every
 * event that arrived while the previous commit was in flight. `append()` resolves after COMMIT, so
 * a caller may then acknowledge its device. A commit's seqs, positions and counters take effect
 * only after COMMIT returned (transaction.ts); a failed batch is handled by batch-commit.ts.
 */
export class Journal extends EventEmitter<JournalEvents> implements Outbox {
  private readonly group: GroupCommit
  private readonly batches: BatchCommitter
  /** No new appends; what is queued is committed if it can be. */
  private stopping = false
  private closing: Promise<void> | undefined
  private fullError: Error | undefined
  private readonly episode: FullEpisode
  private readonly barrier: OrderBarrier
  private readonly monotonicNow: () => number
  private nextPos = 1
  private readonly lastSeq = new Map<string, number>()
  private readonly counters: JournalCounters
  private readonly stat: JournalStats
  private readonly evictor: Evictor
  private readonly limits: JournalLimits
  private ageTimer: NodeJS.Timeout | undefined
  readonly outbox: OutboxReader

  private constructor(
    private readonly files: OpenedJournal,
    private readonly opts: JournalOptions,
  ) {
    super()
    this.counters = new JournalCounters(opts.uplinks)
    this.stat = this.counters.stat
    this.limits = { maxRows: opts.maxRows, maxBytes: files.room.budget.maxBytes }
    this.evictor = new Evictor(files.db)
    this.outbox = new OutboxReader(files.reader)
    this.episode = new FullEpisode(opts.log, opts.now)
    this.monotonicNow = opts.monotonicNow ?? bootMonotonicMs
    this.barrier = new OrderBarrier(this.monotonicNow)
    this.group = new GroupCommit({ batchMaxEvents: opts.batchMaxEvents, commit: (b, w, s) => this.batches.commitBatch(b, w, s) })
    this.batches = new BatchCommitter({
      log: opts.log,
      stat: this.stat,
      episode: this.episode,
      acks: this.group.acks,
      commit: (b, w, s) => this.commit(b, w, s),
      recoverFromFull: () =>
        recoverFromFull({
          ...files,
          evictor: this.evictor,
          counters: this.counters,
          limits: this.limits,
          log: opts.log,
          onEvicted: (r) => this.emit('evicted', r),
        }),
      onFull: (err) => {
        this.fullError = err
        this.emit('full', err)
      },
      onRefused: (part, err) => this.keepOrder(part, err),
      // The retry sweeps by age too, which may free room; while full every commit writes its probe.
      retryWhileFull: () => this.group.requestSweep(),
    })
  }

  static async open(opts: JournalOptions): Promise<Journal> {
    const j = new Journal(await openJournalFiles(opts), opts)
    const d = await loadFromDisk(j.files.db, opts.uplinks, opts.log)
    Object.assign(j.stat, { rows: d.rows, bytes: d.bytes, pending: d.pending })
    j.nextPos = d.nextPos
    for (const [device, seq] of d.lastSeq) j.lastSeq.set(device, seq)
    j.ageTimer = setInterval(() => j.periodic(), Math.min(60_000, Math.max(1000, opts.maxAgeMs / 10)))
    j.ageTimer.unref()
    j.group.requestSweep()
    return j
  }

  /**
   * Queues an event for the next group commit; resolves once it is durable. An event that cannot
   * be serialized is refused here, alone, before it can fail a batch.
   */
  append(received: AppendInput): Promise<AppendResult> {
    const input = received.monoAt === undefined ? { ...received, monoAt: this.monotonicNow() } : received
    if (this.stopping) return Promise.reject(new JournalError('the journal is closed'))
    let body: string
    try {
      body = serializeUnsequenced(input.event)
    } catch (err) {
      return Promise.reject(this.batches.unstorable(input, err))
    }
    if (!this.barrier.admits(input)) {
      this.stat.refusedForOrder++
      return Promise.reject(
        new EventOrderError(
          `an earlier event of device "${input.event.device}" was refused and has not been sent again; send it first, then this one (per-device order)`,
        ),
      )
    }
    return new Promise((resolve, reject) => this.group.enqueue({ input, body, resolve, reject }))
  }

  /** Events were refused as retryable: their devices' later events must not overtake them. */
  private keepOrder(part: readonly QueuedAppend[], err: Error): void {
    const later = this.group.takeQueued(new Set(part.map((q) => q.input.event.device)))
    for (const q of later) q.reject(err)
    this.stat.refusedForOrder += later.length
    this.barrier.raise([...part, ...later])
  }

  /** Marks events delivered to an uplink (written with the next commit; losing it only means a resend). */
  ack(uplink: string, positions: readonly number[]): void {
    if (this.stopping || positions.length === 0) return
    this.group.acks.ack(uplink, positions)
    this.group.ackQueued()
  }

  /** Sets an event aside for one uplink: it stays in the journal but is no longer sent. */
  park(uplink: string, pos: number): void {
    if (this.stopping) return
    this.group.acks.park(uplink, pos)
    this.group.ackQueued()
  }

  /** Counts one refused attempt of an event for one uplink (recorded like `ack`); later reads carry it. */
  attempted(uplink: string, pos: number): void {
    if (this.stopping) return
    this.group.acks.attempted(uplink, pos)
    this.group.ackQueued()
  }

  // The outbox's reads go to its own read-only connection (outbox.ts).
  page(uplink: string, afterPos: number, limit: number): Promise<OutboxRow[]> {
    return this.outbox.page(uplink, afterPos, limit)
  }

  urgent(uplink: string, afterPos: number, maxPriority: number, limit: number): Promise<OutboxRow[]> {
    return this.outbox.urgent(uplink, afterPos, maxPriority, limit)
  }

  devicePredecessors(uplink: string, device: string, afterPos: number, beforePos: number, limit: number): Promise<OutboxRow[]> {
    return this.outbox.devicePredecessors(uplink, device, afterPos, beforePos, limit)
  }

  oldest(uplink: string): Promise<{ pos: number; receivedAt: number } | undefined> {
    return this.outbox.oldest(uplink)
  }

  parkedCount(uplink: string): Promise<number> {
    return this.outbox.parkedCount(uplink)
  }

  pendingCount(uplink: string): number {
    return this.stat.pending[uplink] ?? 0
  }

  stats(): JournalStats {
    return { ...this.stat, pending: { ...this.stat.pending }, full: this.episode.active, maxBytes: this.limits.maxBytes }
  }

  lastSeqOf(device: string): number {
    return this.lastSeq.get(device) ?? 0
  }

  /** Evicts what is past the age bound with the next commit (runs on its own every tenth of maxAgeMs). */
  requestAgeSweep(): void {
    this.group.requestSweep()
  }

  /** The age sweep, and the disk measured again: space freed by others lets the journal grow back. */
  private periodic(): void {
    if (!this.episode.active) this.limits.maxBytes = this.files.room.remeasure().maxBytes
    this.requestAgeSweep()
  }

  /** One transaction (transaction.ts); its result is applied only once COMMIT has returned. */
  private async commit(batch: QueuedAppend[], work: AckWork, sweep: boolean): Promise<void> {
    await this.files.checkpointer?.bound()
    const c = await commitTransaction(
      {
        db: this.files.db,
        evictor: this.evictor,
        uplinks: this.opts.uplinks,
        now: this.opts.now,
        maxAgeMs: this.opts.maxAgeMs,
        limits: this.limits,
        level: { rows: this.stat.rows, bytes: this.stat.bytes },
        nextPos: this.nextPos,
        lastSeqOf: (device) => this.lastSeqOf(device),
        faults: this.opts.faults ?? NO_FAULTS,
        probe: this.episode.active,
      },
      batch,
      work,
      sweep,
    )
    this.applyCommitted(batch, c)
  }

  private applyCommitted(batch: readonly QueuedAppend[], c: Committed): void {
    this.nextPos = c.nextPos
    for (const [device, seq] of c.lastSeq) this.lastSeq.set(device, seq)
    const evicted: EvictionReport[] = c.evictions.map((r) => this.counters.account(r))
    this.counters.committed(c.staged, c.acked)
    this.files.checkpointer?.committed()
    this.recovered()
    let k = 0
    for (let i = 0; i < batch.length; i++) {
      const dup = c.duplicates[i]
      if (dup !== undefined) this.stat.duplicates++
      const s = dup === undefined ? c.staged[k++]! : undefined
      batch[i]!.resolve(dup ?? { id: s!.event.id, duplicate: false, event: s!.event })
    }
    if (c.staged.length > 0) {
      this.emit(
        'committed',
        c.staged.map((s) => ({ pos: s.pos, id: s.event.id, device: s.event.device, kind: s.event.kind, priority: s.event.priority, body: s.body })),
        c.staged.map((s) => s.event),
      )
    }
    for (const r of evicted) if (r.delivered + r.undelivered > 0) this.emit('evicted', r)
  }

  /** A commit succeeded: end a full period and report it once. The spare comes back with `periodic`. */
  private recovered(): void {
    if (!this.episode.active) return
    const s = this.episode.leave()
    this.emit('recovered', { error: errorMessage(this.fullError), ...s })
    this.fullError = undefined
  }

  /**
   * Commits what is queued if it can, then closes, within `closeTimeoutMs` whatever the journal's
   * state: a full journal refuses what it cannot store instead of retrying until it is killed.
   * What is left is refused (not acknowledged); unrecorded acknowledgements only mean resends.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    this.stopping = true
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<void>((r) => {
      timer = setTimeout(r, this.opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS)
    })
    await Promise.race([this.group.drain(), bound])
    clearTimeout(timer)
    if (this.ageTimer) clearInterval(this.ageTimer)
    const left = this.group.stop()
    if (left.length > 0) {
      this.opts.log.warn({ events: left.length }, 'journal closed with events it could not commit; they were not acknowledged')
      const e = new JournalError('the journal closed before this event was committed')
      for (const q of left) q.reject(e)
    }
    // A commit still running ends on its own (busy_timeout bounds it); SQLite closes after it.
    await this.group.settled()
    await this.outbox.close()
    await this.files.checkpointer?.stop()
    await exec(this.files.db, 'PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined) // a full disk may refuse; WAL replays at open
    await closeDb(this.files.db)
  }
}
