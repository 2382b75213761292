import { EventEmitter } from 'node:events'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from '../log.js'
import type { GatewayEvent } from '../events/event.js'
import { JournalError, JournalFullError, errorMessage } from '../errors.js'
import { DDL, PRAGMAS } from './ddl.js'
import { OPEN_RO, OPEN_RW, all, closeDb, exec, isFullError, openDb, run, type Db } from './sqlite.js'
import { evictionNeed, summarize, type EvictionReport, type JournalLimits } from './eviction.js'
import { SpareFile } from './spare.js'
import { Evictor } from './evictor.js'
import { insertEvents, applyAcks, findDuplicates, type StagedEvent } from './writes.js'
import { OutboxReader, type OutboxRow } from './outbox.js'
import { Checkpointer } from './checkpointer.js'

export type { OutboxRow }

export interface JournalOptions {
  path: string
  maxRows: number
  maxBytes: number
  maxAgeMs: number
  spareBytes: number
  batchMaxEvents: number
  /** Every event is pending for each of these until that uplink acknowledges it. */
  uplinks: string[]
  log: Logger
  now: () => number
  /** Caps the database file (SQLite max_page_count), to exercise the full-database path. */
  maxPageCount?: number
}

/** An event ready for the journal: everything but its per-device seq, which the commit assigns. */
export interface AppendInput {
  event: Omit<GatewayEvent, 'seq'>
  /** Look the id up first: producer-supplied ids may be repeats of committed events. */
  checkId?: boolean
  dedupeKey?: string
  dedupeWindowMs?: number
  /** The source a retransmission must follow directly (see `EventInput.dedupeScope`). */
  dedupeScope?: string
}

export interface AppendResult {
  id: string
  duplicate: boolean
  /** The committed event (the earlier one's id for a duplicate; seq is 0 then). */
  event: GatewayEvent
}

interface QueuedAppend {
  input: AppendInput
  resolve: (r: AppendResult) => void
  reject: (e: Error) => void
}

export interface JournalStats {
  rows: number
  bytes: number
  pending: Record<string, number>
  commits: number
  appended: number
  duplicates: number
  evictedDelivered: number
  evictedUndelivered: number
  fullEvents: number
}

export interface JournalEvents {
  committed: [rows: OutboxRow[], events: GatewayEvent[]]
  evicted: [report: EvictionReport]
  full: [err: Error]
}

const ACK_DELAY_MS = 5
const FULL_RETRIES = 2

/**
 * The durable journal and outbox. Appends wait in a queue and are written together, in one
 * transaction with multi-row statements (group commit): one fsync serves every event that arrived
 * while the previous commit was in flight. `append()` resolves after COMMIT, so a caller may then
 * acknowledge its device.
 */
export class Journal extends EventEmitter<JournalEvents> {
  private queue: QueuedAppend[] = []
  private acks = new Map<string, number[]>()
  private parks: Array<{ uplink: string; pos: number }> = []
  private ageSweepDue = false
  private flushing = false
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined
  private closed = false
  private nextPos = 1
  private readonly lastSeq = new Map<string, number>()
  private readonly stat: JournalStats = {
    rows: 0, bytes: 0, pending: {}, commits: 0, appended: 0, duplicates: 0,
    evictedDelivered: 0, evictedUndelivered: 0, fullEvents: 0,
  }
  private readonly evictor: Evictor
  private readonly limits: JournalLimits
  private ageTimer: NodeJS.Timeout | undefined
  private checkpointer: Checkpointer | undefined
  readonly outbox: OutboxReader

  private constructor(
    private readonly db: Db,
    readerDb: Db,
    private readonly spare: SpareFile,
    private readonly opts: JournalOptions,
  ) {
    super()
    this.limits = { maxRows: opts.maxRows, maxBytes: opts.maxBytes }
    this.evictor = new Evictor(db)
    this.outbox = new OutboxReader(readerDb)
  }

  static async open(opts: JournalOptions): Promise<Journal> {
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true })
    const db = await openDb(opts.path, OPEN_RW)
    try {
      await exec(db, PRAGMAS)
      if (opts.maxPageCount !== undefined) await exec(db, `PRAGMA max_page_count = ${Math.floor(opts.maxPageCount)}`)
      // Checkpoints run on their own connection (checkpointer.ts), not inside a commit.
      if (opts.path !== ':memory:') await exec(db, 'PRAGMA wal_autocheckpoint = 0')
      await exec(db, DDL)
    } catch (err) {
      await closeDb(db)
      throw new JournalError(`cannot open the journal at ${opts.path}: ${errorMessage(err)}`, { cause: err })
    }
    const reader = await openDb(opts.path, OPEN_RO)
    const checkpointer = opts.path === ':memory:' ? undefined : await Checkpointer.start(opts.path, opts.log)
    const spare = new SpareFile(`${opts.path}.spare`, opts.spareBytes, opts.log)
    spare.ensure()
    const j = new Journal(db, reader, spare, opts)
    j.checkpointer = checkpointer
    await j.load()
    j.ageTimer = setInterval(() => j.requestAgeSweep(), Math.min(60_000, Math.max(1000, opts.maxAgeMs / 10)))
    j.ageTimer.unref()
    j.requestAgeSweep()
    return j
  }

  /** Counters from disk, and pending rows of uplinks no longer configured dropped. */
  private async load(): Promise<void> {
    const configured = new Set(this.opts.uplinks)
    const stale = await all<{ uplink: string }>(this.db, 'SELECT DISTINCT uplink FROM pending')
    for (const { uplink } of stale) {
      if (configured.has(uplink)) continue
      this.opts.log.warn({ uplink }, 'dropping the outbox of an uplink that is no longer configured')
      await exec(this.db, 'BEGIN')
      await run(this.db, 'UPDATE events SET pending_uplinks = pending_uplinks - 1 WHERE pos IN (SELECT pos FROM pending WHERE uplink = ?)', [uplink])
      await run(this.db, 'DELETE FROM pending WHERE uplink = ?', [uplink])
      await exec(this.db, 'COMMIT')
    }
    const [t] = await all<{ n: number; b: number }>(this.db, 'SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM events')
    this.stat.rows = t?.n ?? 0
    this.stat.bytes = t?.b ?? 0
    for (const u of this.opts.uplinks) this.stat.pending[u] = 0
    for (const r of await all<{ uplink: string; n: number }>(this.db, 'SELECT uplink, COUNT(*) AS n FROM pending GROUP BY uplink')) {
      this.stat.pending[r.uplink] = r.n
    }
    const [s] = await all<{ m: number | null }>(this.db, "SELECT MAX(seq) AS m FROM (SELECT seq FROM sqlite_sequence WHERE name = 'events' UNION ALL SELECT MAX(pos) AS seq FROM events)")
    this.nextPos = (s?.m ?? 0) + 1
    for (const r of await all<{ device: string; last_seq: number }>(this.db, 'SELECT device, last_seq FROM devices')) {
      this.lastSeq.set(r.device, r.last_seq)
    }
  }

  /** Queues an event for the next group commit; resolves once it is durable. */
  append(input: AppendInput): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new JournalError('the journal is closed'))
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject })
      this.schedule(true)
    })
  }

  /** Marks events delivered to an uplink (written with the next commit; losing it only means a resend). */
  ack(uplink: string, positions: readonly number[]): void {
    if (this.closed || positions.length === 0) return
    let list = this.acks.get(uplink)
    if (!list) this.acks.set(uplink, (list = []))
    for (const p of positions) list.push(p)
    this.schedule(false)
  }

  /** Sets an event aside for one uplink: it stays in the journal but is no longer sent. */
  park(uplink: string, pos: number): void {
    this.parks.push({ uplink, pos })
    this.schedule(false)
  }

  stats(): JournalStats {
    return { ...this.stat, pending: { ...this.stat.pending } }
  }

  lastSeqOf(device: string): number {
    return this.lastSeq.get(device) ?? 0
  }

  private requestAgeSweep(): void {
    this.ageSweepDue = true
    this.schedule(false)
  }

  private schedule(urgent: boolean): void {
    if (this.flushing) return
    if (this.scheduled !== undefined) {
      if (!urgent) return
      // An append waits for no timer: replace a pending delayed flush with an immediate one.
      clearTimeout(this.scheduled as NodeJS.Timeout)
    }
    this.scheduled = urgent ? setImmediate(() => void this.flush()) : setTimeout(() => void this.flush(), ACK_DELAY_MS)
  }

  private async flush(): Promise<void> {
    this.scheduled = undefined
    if (this.flushing) return
    this.flushing = true
    try {
      while (this.hasWork()) {
        const batch = this.queue.splice(0, this.opts.batchMaxEvents)
        const acks = this.acks
        this.acks = new Map()
        const parks = this.parks.splice(0)
        const sweep = this.ageSweepDue
        this.ageSweepDue = false
        await this.commitWithRecovery(batch, acks, parks, sweep)
      }
    } finally {
      this.flushing = false
      if (this.hasWork()) this.schedule(this.queue.length > 0)
    }
  }

  private hasWork(): boolean {
    return !this.closed && (this.queue.length > 0 || this.acks.size > 0 || this.parks.length > 0 || this.ageSweepDue)
  }

  private async commitWithRecovery(batch: QueuedAppend[], acks: Map<string, number[]>, parks: Array<{ uplink: string; pos: number }>, sweep: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.commit(batch, acks, parks, sweep)
        return
      } catch (err) {
        if (isFullError(err) && attempt < FULL_RETRIES) {
          await this.recoverFromFull(err as Error)
          continue
        }
        const e = isFullError(err)
          ? new JournalFullError(`the journal cannot store events: ${errorMessage(err)}`, { cause: err })
          : new JournalError(`journal commit failed: ${errorMessage(err)}`, { cause: err })
        this.opts.log.error({ err: e, events: batch.length }, 'journal commit failed; the events were not acknowledged')
        for (const q of batch) q.reject(e)
        return
      }
    }
  }

  /** One transaction: duplicates looked up, room made, events and outbox rows inserted, acks applied. */
  private async commit(batch: QueuedAppend[], acks: Map<string, number[]>, parks: Array<{ uplink: string; pos: number }>, sweep: boolean): Promise<void> {
    const startPos = this.nextPos
    const seqBefore = new Map<string, number>()
    const reports: EvictionReport[] = []
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
        const body = JSON.stringify(event)
        staged.push({ pos: this.nextPos++, event, body, bytes: Buffer.byteLength(body), dedupeKey: q.input.dedupeKey, dedupeScope: q.input.dedupeScope })
        results.push(undefined)
      }
      if (sweep) {
        const r = await this.evictor.evictOlderThan(now - this.opts.maxAgeMs)
        if (r.delivered.length + r.undelivered.length > 0) reports.push(this.account(summarize('age', r.delivered, r.undelivered)))
      }
      const incoming = { rows: staged.length, bytes: staged.reduce((s, e) => s + e.bytes, 0) }
      const need = evictionNeed({ rows: this.stat.rows, bytes: this.stat.bytes }, incoming, this.limits)
      if (need.rows > 0 || need.bytes > 0) {
        const r = await this.evictor.evict(need)
        reports.push(this.account(summarize(need.bytes > 0 && need.rows <= 0 ? 'bytes' : 'rows', r.delivered, r.undelivered)))
      }
      await insertEvents(this.db, staged, this.opts.uplinks, this.opts.now())
      const acked = await applyAcks(this.db, acks, parks)
      await exec(this.db, 'COMMIT')
      this.afterCommit(staged, acked)
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
      await exec(this.db, 'ROLLBACK').catch(() => undefined)
      this.nextPos = startPos
      for (const [device, seq] of seqBefore) this.lastSeq.set(device, seq)
      for (const r of reports) this.unaccount(r)
      // Acks and parks are retried with the next commit.
      for (const [u, list] of acks) for (const p of list) this.ack(u, [p])
      this.parks.push(...parks)
      throw err
    }
  }

  private afterCommit(staged: StagedEvent[], acked: Map<string, number>): void {
    this.stat.commits++
    this.stat.appended += staged.length
    this.stat.rows += staged.length
    for (const s of staged) this.stat.bytes += s.bytes
    for (const u of this.opts.uplinks) this.stat.pending[u] = (this.stat.pending[u] ?? 0) + staged.length
    for (const [u, n] of acked) this.stat.pending[u] = Math.max(0, (this.stat.pending[u] ?? 0) - n)
  }

  /** Counters for an eviction inside the open transaction (undone by `unaccount` on rollback). */
  private account(r: EvictionReport & { pendingRemoved?: Record<string, number> }): EvictionReport {
    this.stat.rows -= r.delivered + r.undelivered
    this.stat.bytes -= r.bytes
    this.stat.evictedDelivered += r.delivered
    this.stat.evictedUndelivered += r.undelivered
    for (const u of this.opts.uplinks) this.stat.pending[u] = Math.max(0, (this.stat.pending[u] ?? 0) - r.undelivered)
    return r
  }

  private unaccount(r: EvictionReport): void {
    this.stat.rows += r.delivered + r.undelivered
    this.stat.bytes += r.bytes
    this.stat.evictedDelivered -= r.delivered
    this.stat.evictedUndelivered -= r.undelivered
    for (const u of this.opts.uplinks) this.stat.pending[u] = (this.stat.pending[u] ?? 0) + r.undelivered
  }

  /**
   * The disk or the database is full. Give SQLite room to work (release the spare file), drop a
   * tenth of the journal in eviction order, and checkpoint the WAL so its pages return to the file.
   */
  private async recoverFromFull(err: Error): Promise<void> {
    this.stat.fullEvents++
    this.opts.log.error({ err, path: this.opts.path }, 'journal full: releasing the spare file and evicting')
    this.emit('full', err)
    this.spare.release()
    const need = { rows: Math.max(1, Math.ceil(this.stat.rows / 10)), bytes: 0 }
    try {
      await exec(this.db, 'BEGIN IMMEDIATE')
      const r = await this.evictor.evict(need)
      await exec(this.db, 'COMMIT')
      const report = this.account(summarize('disk-full', r.delivered, r.undelivered))
      if (report.delivered + report.undelivered > 0) this.emit('evicted', report)
      await exec(this.db, 'PRAGMA wal_checkpoint(TRUNCATE)')
    } catch (e) {
      await exec(this.db, 'ROLLBACK').catch(() => undefined)
      this.opts.log.error({ err: e }, 'journal full: eviction failed too')
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    while (this.flushing || this.scheduled !== undefined) {
      await new Promise((r) => setTimeout(r, 2))
      if (!this.flushing && this.scheduled === undefined && this.hasWork()) this.schedule(true)
    }
    this.closed = true
    if (this.ageTimer) clearInterval(this.ageTimer)
    await this.outbox.close()
    await this.checkpointer?.stop()
    await exec(this.db, 'PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined)
    await closeDb(this.db)
  }
}
