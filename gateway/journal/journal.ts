import { EventEmitter } from 'node:events'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { GatewayEvent } from '../events/event.js'
import { JournalError, JournalFullError, UnstorableEventError, errorMessage } from '../errors.js'
import { DDL, PRAGMAS } from './ddl.js'
import { OPEN_RO, OPEN_RW, closeDb, exec, isEventError, isFullError, openDb, type Db } from './sqlite.js'
import { LOW_WATER, evictionNeed, summarize, type EvictionReport, type JournalLimits } from './eviction.js'
import { Evictor } from './evictor.js'
import { insertEvents, applyAcks, findDuplicates, serializeUnsequenced, withSeq, type StagedEvent } from './writes.js'
import { OutboxReader, type OutboxRow } from './outbox.js'
import { Checkpointer } from './checkpointer.js'
import type { AppendInput, AppendResult, JournalEvents, JournalOptions, JournalStats, QueuedAppend } from './types.js'
import { AckQueue, NO_WORK, type AckWork } from './ack-queue.js'
import { FullEpisode } from './full-episode.js'
import { commitApart } from './isolate.js'
import { JournalCounters, loadFromDisk } from './counters.js'
import { DiskRoom } from './disk-room.js'
import type { Outbox } from '../../cloud-bridge/outbox.js'

export type { OutboxRow }
export type { AppendInput, AppendResult, FullSummary, JournalEvents, JournalOptions, JournalStats } from './types.js'

const ACK_DELAY_MS = 5
const FULL_RETRIES = 2
const DEFAULT_CLOSE_TIMEOUT_MS = 5000
/** Acknowledgements whose commit failed for another reason than a full disk wait this long. */
const FAILED_RETRY_MS = 1000
/** After a full period the byte cap drops below what filled the disk, until the disk is measured again. */
const FULL_SHRINK = 0.9

/**
 * The durable journal and outbox. Appends wait in a queue and are written together, in one
 * transaction with multi-row statements (group commit): one fsync serves every event that arrived
 * while the previous commit was in flight. `append()` resolves after COMMIT, so a caller may then
 * acknowledge its device.
 */
export class Journal extends EventEmitter<JournalEvents> implements Outbox {
  private queue: QueuedAppend[] = []
  private readonly pendingAcks = new AckQueue()
  private ageSweepDue = false
  private flushing: Promise<void> | undefined
  private immediate: NodeJS.Immediate | undefined
  private timer: NodeJS.Timeout | undefined
  private retryAfterMs = 0
  /** No new appends; what is queued is committed if it can be. */
  private stopping = false
  private closed = false
  private closing: Promise<void> | undefined
  private fullError: Error | undefined
  private readonly episode: FullEpisode
  private readonly unstorableWarned = new Set<string>()
  /** False from a commit that failed for the journal's own reason until one succeeds: its failures are logged once. */
  private lastCommitOk = true
  private nextPos = 1
  private readonly lastSeq = new Map<string, number>()
  private readonly counters: JournalCounters
  private readonly stat: JournalStats
  private readonly evictor: Evictor
  private readonly limits: JournalLimits
  private ageTimer: NodeJS.Timeout | undefined
  private checkpointer: Checkpointer | undefined
  readonly outbox: OutboxReader

  private constructor(
    private readonly db: Db,
    readerDb: Db,
    private readonly room: DiskRoom,
    private readonly opts: JournalOptions,
  ) {
    super()
    this.counters = new JournalCounters(opts.uplinks)
    this.stat = this.counters.stat
    this.limits = { maxRows: opts.maxRows, maxBytes: room.budget.maxBytes }
    this.evictor = new Evictor(db)
    this.outbox = new OutboxReader(readerDb)
    this.episode = new FullEpisode(opts.log, opts.now)
  }

  static async open(opts: JournalOptions): Promise<Journal> {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true })
    const room = new DiskRoom(opts)
    const budget = room.budget
    const db = await openDb(opts.path, OPEN_RW)
    try {
      await exec(db, PRAGMAS)
      if (opts.maxPageCount !== undefined) await exec(db, `PRAGMA max_page_count = ${Math.floor(opts.maxPageCount)}`)
      // Checkpoints run on their own connection (checkpointer.ts), not inside a commit; when the
      // writer wraps the checkpointed WAL it truncates the file back to this size.
      if (opts.path !== ':memory:') await exec(db, `PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = ${budget.walMaxBytes}`)
      await exec(db, DDL)
    } catch (err) {
      await closeDb(db)
      throw new JournalError(`cannot open the journal at ${opts.path}: ${errorMessage(err)}`, { cause: err })
    }
    const reader = await openDb(opts.path, OPEN_RO)
    const checkpointer = opts.path === ':memory:' ? undefined : await Checkpointer.start(opts.path, budget.walMaxBytes, opts.log)
    room.spare.ensure(budget.spareBytes)
    const j = new Journal(db, reader, room, opts)
    j.checkpointer = checkpointer
    await j.load()
    j.ageTimer = setInterval(() => j.periodic(), Math.min(60_000, Math.max(1000, opts.maxAgeMs / 10)))
    j.ageTimer.unref()
    j.requestAgeSweep()
    return j
  }

  /** Counters from disk, and pending rows of uplinks no longer configured dropped. */
  private async load(): Promise<void> {
    const d = await loadFromDisk(this.db, this.opts.uplinks, this.opts.log)
    Object.assign(this.stat, { rows: d.rows, bytes: d.bytes, pending: d.pending })
    this.nextPos = d.nextPos
    for (const [device, seq] of d.lastSeq) this.lastSeq.set(device, seq)
  }

  /**
   * Queues an event for the next group commit; resolves once it is durable. An event that cannot
   * be serialized is refused here, alone, before it can fail a batch.
   */
  append(input: AppendInput): Promise<AppendResult> {
    if (this.stopping) return Promise.reject(new JournalError('the journal is closed'))
    let body: string
    try {
      body = serializeUnsequenced(input.event)
    } catch (err) {
      return Promise.reject(this.unstorable(input, err))
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ input, body, resolve, reject })
      this.schedule(true)
    })
  }

  /** Marks events delivered to an uplink (written with the next commit; losing it only means a resend). */
  ack(uplink: string, positions: readonly number[]): void {
    if (this.stopping || positions.length === 0) return
    this.pendingAcks.ack(uplink, positions)
    this.schedule(false)
  }

  /** Sets an event aside for one uplink: it stays in the journal but is no longer sent. */
  park(uplink: string, pos: number): void {
    if (this.stopping) return
    this.pendingAcks.park(uplink, pos)
    this.schedule(false)
  }

  // The outbox's reads go to its own read-only connection (outbox.ts).
  page(uplink: string, afterPos: number, limit: number): Promise<OutboxRow[]> {
    return this.outbox.page(uplink, afterPos, limit)
  }

  urgent(uplink: string, afterPos: number, maxPriority: number, limit: number): Promise<OutboxRow[]> {
    return this.outbox.urgent(uplink, afterPos, maxPriority, limit)
  }

  devicePredecessors(uplink: string, device: string, afterPos: number, beforePos: number): Promise<OutboxRow[]> {
    return this.outbox.devicePredecessors(uplink, device, afterPos, beforePos)
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

  /** Counts one refused attempt of an event for one uplink (recorded like `ack`); later reads carry it. */
  attempted(uplink: string, pos: number): void {
    if (this.stopping) return
    this.pendingAcks.attempted(uplink, pos)
    this.schedule(false)
  }

  stats(): JournalStats {
    return { ...this.stat, pending: { ...this.stat.pending }, full: this.episode.active, maxBytes: this.limits.maxBytes }
  }

  /** Refuses one event that the journal cannot store, naming its device; warned once per device. */
  private unstorable(input: AppendInput, err: unknown): UnstorableEventError {
    const { device, id } = input.event
    this.stat.unstorable++
    const e = new UnstorableEventError(`event ${id} from device "${device}" cannot be stored (${errorMessage(err)}); it was refused alone, fix what the device or producer sends`, { cause: err })
    if (this.unstorableWarned.has(device)) this.opts.log.debug({ device, err: e }, 'event refused by the journal')
    else this.opts.log.warn({ device, err: e }, 'event refused by the journal')
    this.unstorableWarned.add(device)
    return e
  }

  /** The age sweep, and the disk measured again: space freed by others lets the journal grow back. */
  private periodic(): void {
    if (!this.episode.active) this.limits.maxBytes = this.room.remeasure().maxBytes
    this.requestAgeSweep()
  }

  lastSeqOf(device: string): number {
    return this.lastSeq.get(device) ?? 0
  }

  private requestAgeSweep(): void {
    this.ageSweepDue = true
    this.schedule(false)
  }

  /** Appends run at once; acknowledgements wait a little to share a commit (longer after a failure). */
  private schedule(urgent: boolean): void {
    if (this.closed || this.flushing || this.immediate !== undefined) return
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
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined
      if (this.hasWork()) this.schedule(this.queue.length > 0)
    })
    return this.flushing
  }

  private async flushLoop(): Promise<void> {
    while (this.hasWork()) {
      const batch = this.queue.splice(0, this.opts.batchMaxEvents)
      const work = this.pendingAcks.take()
      const sweep = this.ageSweepDue
      this.ageSweepDue = false
      const ok = await this.commitBatch(batch, work, sweep)
      if (ok) {
        this.retryAfterMs = 0
        continue
      }
      // Nothing more until new events arrive or the retry delay passes: a failing journal must not spin.
      if (sweep) this.ageSweepDue = true
      this.retryAfterMs = this.episode.active ? Math.max(ACK_DELAY_MS, this.episode.msUntilRecovery()) : FAILED_RETRY_MS
      return
    }
  }

  private hasWork(): boolean {
    return !this.closed && (this.queue.length > 0 || this.pendingAcks.size > 0 || this.ageSweepDue)
  }

  /**
   * Commits a batch, recovering from a full disk at most FULL_RETRIES times; a batch SQLite refuses
   * for another reason is split until the refused event stands alone. False when work is left over.
   */
  private async commitBatch(batch: QueuedAppend[], work: AckWork, sweep: boolean): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.commit(batch, work, sweep)
        this.lastCommitOk = true
        return true
      } catch (err) {
        if (isEventError(err)) return this.isolateAndCommit(batch, work, sweep, err)
        if (!isFullError(err)) return this.failBatch(batch, work, err)
        if (this.episode.enter(err as Error)) {
          this.fullError = err as Error
          this.emit('full', err as Error)
        }
        if (attempt < FULL_RETRIES && this.episode.mayRecover(batch.some((q) => q.input.event.priority <= 2)) && (await this.recoverFromFull())) continue
        this.episode.refuse(batch.length, err as Error)
        this.refuse(batch, err)
        this.pendingAcks.restore(work)
        return false
      }
    }
  }

  /**
   * The journal itself failed (I/O, fsync, busy, corrupt): nothing of the batch is durable. Every
   * event is refused as retryable (no acknowledgement; the device or producer sends it again) and the
   * acknowledgements wait for the next commit. Logged once per failing spell, then counted.
   */
  private failBatch(batch: QueuedAppend[], work: AckWork, err: unknown): boolean {
    this.stat.failedCommits++
    if (this.lastCommitOk) this.opts.log.error({ err, events: batch.length }, 'journal commit failed; the events are refused and will be sent again')
    else this.opts.log.debug({ err, events: batch.length, failedCommits: this.stat.failedCommits }, 'journal commit failed again')
    this.lastCommitOk = false
    const e = new JournalError(`the journal could not commit (${errorMessage(err)}); nothing was stored, send again`, { cause: err })
    for (const q of batch) q.reject(e)
    this.pendingAcks.restore(work)
    return false
  }

  /** SQLite refused a row for what it holds: commit the events apart, refuse only what fails alone. */
  private async isolateAndCommit(batch: QueuedAppend[], work: AckWork, sweep: boolean, err: unknown): Promise<boolean> {
    if (batch.length === 1) this.refuse(batch, err)
    else if (batch.length > 1) {
      this.opts.log.warn({ err, events: batch.length }, 'journal commit failed; committing the batch\'s events apart to find the one refused')
      await commitApart(batch, (part) => this.commit(part, NO_WORK, false), (part, e) => this.refuse(part, e), isEventError)
    }
    if (work.acks.size === 0 && work.parks.length === 0 && work.attempts.length === 0 && !sweep) return true
    try {
      await this.commit([], work, sweep)
      return true
    } catch (e) {
      this.opts.log.error({ err: e }, 'journal could not record acknowledgements; retrying shortly')
      this.pendingAcks.restore(work)
      return false
    }
  }

  private refuse(part: QueuedAppend[], err: unknown): void {
    if (isFullError(err)) {
      const e = new JournalFullError(`the journal cannot store events: its disk or database is full (${errorMessage(err)}); free space on the journal's disk`, { cause: err })
      this.stat.refusedFull += part.length
      for (const q of part) q.reject(e)
    } else if (isEventError(err)) for (const q of part) q.reject(this.unstorable(q.input, err))
    else {
      const e = new JournalError(`the journal could not commit (${errorMessage(err)}); nothing was stored, send again`, { cause: err })
      for (const q of part) q.reject(e)
    }
  }

  /** One transaction: duplicates looked up, room made, events and outbox rows inserted, acks applied. */
  private async commit(batch: QueuedAppend[], work: AckWork, sweep: boolean): Promise<void> {
    const startPos = this.nextPos
    const seqBefore = new Map<string, number>()
    const reports: EvictionReport[] = []
    await this.checkpointer?.bound()
    await exec(this.db, 'BEGIN IMMEDIATE')
    try {
      const now = this.opts.now()
      const dup = await findDuplicates(this.db, batch.map((q) => q.input))
      const staged: StagedEvent[] = []
      const results: Array<AppendResult | undefined> = []
      for (let i = 0; i < batch.length; i++) {
        const q = batch[i]!
        const d = dup[i]
        if (d !== undefined) {
          results.push({ id: d, duplicate: true, event: { ...q.input.event, id: d, seq: 0 } })
          continue
        }
        const device = q.input.event.device
        if (!seqBefore.has(device)) seqBefore.set(device, this.lastSeq.get(device) ?? 0)
        const seq = (this.lastSeq.get(device) ?? 0) + 1
        this.lastSeq.set(device, seq)
        const event = { ...q.input.event, seq } as GatewayEvent
        const body = withSeq(q.body, seq)
        staged.push({ pos: this.nextPos++, event, body, bytes: Buffer.byteLength(body), dedupeKey: q.input.dedupeKey, dedupeScope: q.input.dedupeScope })
        results.push(undefined)
      }
      if (sweep) {
        const r = await this.evictor.evictOlderThan(now - this.opts.maxAgeMs)
        if (r.delivered.length + r.undelivered.length > 0) reports.push(this.counters.account(summarize('age', r.delivered, r.undelivered)))
      }
      const incoming = { rows: staged.length, bytes: staged.reduce((s, e) => s + e.bytes, 0) }
      const need = evictionNeed({ rows: this.stat.rows, bytes: this.stat.bytes }, incoming, this.limits)
      if (need.rows > 0 || need.bytes > 0) {
        const r = await this.evictor.evict(need)
        reports.push(this.counters.account(summarize(need.bytes > 0 && need.rows <= 0 ? 'bytes' : 'rows', r.delivered, r.undelivered)))
      }
      await insertEvents(this.db, staged, this.opts.uplinks, this.opts.now())
      const acked = await applyAcks(this.db, work.acks, work.parks, work.attempts)
      await exec(this.db, 'COMMIT')
      this.counters.committed(staged, acked)
      this.checkpointer?.committed()
      this.recovered()
      this.stat.duplicates += results.filter((r) => r !== undefined).length
      let k = 0
      for (let i = 0; i < batch.length; i++) {
        const r = results[i] ?? { id: staged[k]!.event.id, duplicate: false, event: staged[k++]!.event }
        batch[i]!.resolve(r)
      }
      if (staged.length > 0) {
        this.emit('committed', staged.map((s) => ({ pos: s.pos, id: s.event.id, device: s.event.device, kind: s.event.kind, priority: s.event.priority, body: s.body })), staged.map((s) => s.event))
      }
      for (const r of reports) if (r.delivered + r.undelivered > 0) this.emit('evicted', r)
    } catch (err) {
      await exec(this.db, 'ROLLBACK').catch(() => undefined) // SQLite may have rolled back already
      this.nextPos = startPos
      for (const [device, seq] of seqBefore) this.lastSeq.set(device, seq)
      for (const r of reports) this.counters.unaccount(r)
      // The caller decides what becomes of the events and the acknowledgements.
      throw err
    }
  }







  /**
   * The disk or the database is full. Give SQLite room to work: release the spare file, checkpoint
   * the WAL into the database and truncate it (that frees the log's bytes), evict a tenth of the
   * journal in eviction order, and checkpoint again. The byte cap drops below what filled the disk.
   * True when room was made.
   */
  private async recoverFromFull(): Promise<boolean> {
    this.stat.fullEvents++
    this.room.spare.release()
    await this.truncateWal()
    this.limits.maxBytes = Math.min(this.limits.maxBytes, Math.floor(this.stat.bytes * FULL_SHRINK))
    const need = evictionNeed({ rows: this.stat.rows, bytes: this.stat.bytes }, { rows: 0, bytes: 0 },
      { maxRows: Math.floor(this.stat.rows * LOW_WATER), maxBytes: this.limits.maxBytes })
    need.rows = Math.max(need.rows, Math.ceil(this.stat.rows / 10))
    try {
      await exec(this.db, 'BEGIN IMMEDIATE')
      const r = await this.evictor.evict(need)
      await exec(this.db, 'COMMIT')
      const report = this.counters.account(summarize('disk-full', r.delivered, r.undelivered))
      if (report.delivered + report.undelivered > 0) this.emit('evicted', report)
    } catch (err) {
      await exec(this.db, 'ROLLBACK').catch(() => undefined) // SQLite may have rolled back already
      this.opts.log.debug({ err }, 'journal full: eviction failed; retrying at the next recovery')
      return false
    }
    await this.truncateWal()
    return true
  }

  private async truncateWal(): Promise<void> {
    try {
      await exec(this.db, 'PRAGMA wal_checkpoint(TRUNCATE)')
    } catch (err) {
      this.opts.log.debug({ err }, 'journal full: checkpoint failed')
    }
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
    const bound = new Promise<void>((r) => { timer = setTimeout(r, this.opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS) })
    // Two passes: what is queued now, then the acknowledgements a failed pass gave back.
    const drain = (async () => {
      for (let pass = 0; pass < 2 && (this.flushing !== undefined || this.hasWork()); pass++) {
        if (this.flushing) await this.flushing
        this.retryAfterMs = 0
        if (this.hasWork()) await this.flush()
      }
    })()
    await Promise.race([drain, bound])
    clearTimeout(timer)
    this.closed = true
    if (this.immediate !== undefined) clearImmediate(this.immediate)
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.ageTimer) clearInterval(this.ageTimer)
    const left = this.queue.splice(0)
    if (left.length > 0) {
      this.opts.log.warn({ events: left.length }, 'journal closed with events it could not commit; they were not acknowledged')
      const e = new JournalError('the journal closed before this event was committed')
      for (const q of left) q.reject(e)
    }
    // A commit still running ends on its own (busy_timeout bounds it); SQLite closes after it.
    await this.flushing?.catch(() => undefined)
    await this.outbox.close()
    await this.checkpointer?.stop()
    await exec(this.db, 'PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined) // a full disk may refuse; WAL replays at open
    await closeDb(this.db)
  }
}
