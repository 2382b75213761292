import type { GatewayEvent } from '../../base/events/event.js'
import type { Faults } from '../../base/faults.js'
import { evictionNeed, summarize, type EvictionReport, type JournalLevel, type JournalLimits } from './eviction.js'
import type { Evictor } from './evictor.js'
import { exec, run, type Db } from './sqlite.js'
import type { AppendResult, QueuedAppend } from './types.js'
import type { AckWork } from './ack-queue.js'
import { applyAcks, findDuplicates, insertEvents, withSeq, type StagedEvent } from './writes.js'

/** What a transaction reads of the journal's state; it changes none of it. */
export interface TransactionContext {
  db: Db
  evictor: Evictor
  uplinks: readonly string[]
  now: () => number
  maxAgeMs: number
  limits: JournalLimits
  level: JournalLevel
  nextPos: number
  lastSeqOf(device: string): number
  faults: Faults
  /**
   * The journal is full: this commit writes a row of its own, so that its success proves there
   * was room to write (a commit with nothing to write succeeds on a full disk too).
   */
  probe: boolean
}

/** A committed transaction: what the journal applies to its counters once COMMIT has returned. */
export interface Committed {
  staged: StagedEvent[]
  /** One per batch entry: the duplicate's result, or undefined where a staged event stands. */
  duplicates: Array<AppendResult | undefined>
  acked: Map<string, number>
  evictions: EvictionReport[]
  nextPos: number
  /** Each device's last seq after this commit. */
  lastSeq: Map<string, number>
}

/**
 * One transaction: duplicates looked up, room made, events and outbox rows inserted, acks applied.
 * Positions, seqs and counters are staged here and only take effect when the caller applies the
 * result after COMMIT, so a failed commit leaves nothing to undo: its seqs and positions were never
 * handed out.
 */
export async function commitTransaction(ctx: TransactionContext, batch: readonly QueuedAppend[], work: AckWork, sweep: boolean): Promise<Committed> {
  await exec(ctx.db, 'BEGIN IMMEDIATE')
  try {
    const now = ctx.now()
    const dup = await findDuplicates(
      ctx.db,
      batch.map((q) => q.input),
    )
    const lastSeq = new Map<string, number>()
    const staged: StagedEvent[] = []
    const duplicates: Array<AppendResult | undefined> = []
    let nextPos = ctx.nextPos
    for (let i = 0; i < batch.length; i++) {
      const q = batch[i]!
      const d = dup[i]
      if (d !== undefined) {
        duplicates.push({ id: d, duplicate: true, event: { ...q.input.event, id: d, seq: 0 } })
        continue
      }
      const device = q.input.event.device
      const seq = (lastSeq.get(device) ?? ctx.lastSeqOf(device)) + 1
      lastSeq.set(device, seq)
      const event = { ...q.input.event, seq } as GatewayEvent
      const body = withSeq(q.body, seq)
      staged.push({
        pos: nextPos++,
        event,
        body,
        bytes: Buffer.byteLength(body),
        dedupeKey: q.input.dedupeKey,
        dedupeScope: q.input.dedupeScope,
        monoAt: q.input.monoAt,
      })
      duplicates.push(undefined)
    }
    const evictions: EvictionReport[] = []
    const level = { ...ctx.level }
    if (sweep) {
      const r = await ctx.evictor.evictOlderThan(now - ctx.maxAgeMs)
      if (r.delivered.length + r.undelivered.length > 0) evictions.push(lower(level, summarize('age', r.delivered, r.undelivered)))
    }
    const incoming = { rows: staged.length, bytes: staged.reduce((s, e) => s + e.bytes, 0) }
    const need = evictionNeed(level, incoming, ctx.limits)
    if (need.rows > 0 || need.bytes > 0) {
      const r = await ctx.evictor.evict(need)
      evictions.push(lower(level, summarize(need.bytes > 0 && need.rows <= 0 ? 'bytes' : 'rows', r.delivered, r.undelivered)))
    }
    await insertEvents(ctx.db, staged, ctx.uplinks, ctx.now())
    const acked = await applyAcks(ctx.db, work.acks, work.parks, work.attempts)
    if (ctx.probe) await writeProbe(ctx.db, now)
    ctx.faults.reach('journal.commit')
    await exec(ctx.db, 'COMMIT')
    return { staged, duplicates, acked, evictions, nextPos, lastSeq }
  } catch (err) {
    await exec(ctx.db, 'ROLLBACK').catch(() => undefined) // SQLite may have rolled back already
    throw err
  }
}

/** One small row rewritten: a page to the WAL and an fsync, like any commit that stores something. */
async function writeProbe(db: Db, now: number): Promise<void> {
  await run(db, "INSERT INTO meta (key, value) VALUES ('full_probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [String(now)])
}

/** The level once an eviction inside this transaction has freed its rows. */
function lower(level: JournalLevel, r: EvictionReport): EvictionReport {
  level.rows -= r.delivered + r.undelivered
  level.bytes -= r.bytes
  return r
}
