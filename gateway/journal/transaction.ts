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
 * One transaction: duplicates looked up, room made, events inserted (their outbox rows by the
 * writer's trigger), acks applied. A commit that is one statement runs without BEGIN and COMMIT:
 * SQLite commits a lone statement atomically, and each trip to its thread waits for the event
 * loop, so on a busy gateway a one-event commit of five statements waited five times.
 * Positions, seqs and counters are staged here and only take effect when the caller applies the
 * result after the commit, so a failed commit leaves nothing to undo: its seqs and positions were
 * never handed out.
 */
export async function commitTransaction(ctx: TransactionContext, batch: readonly QueuedAppend[], work: AckWork, sweep: boolean): Promise<Committed> {
  // The journal is this connection's alone, so what it reads before BEGIN stays true until COMMIT.
  const dup = await findDuplicates(
    ctx.db,
    batch.map((q) => q.input),
  )
  const { staged, duplicates, lastSeq, nextPos } = stage(ctx, batch, dup)
  const level = { ...ctx.level }
  const incoming = { rows: staged.length, bytes: staged.reduce((s, e) => s + e.bytes, 0) }
  const need = evictionNeed(level, incoming, ctx.limits)
  const pendingUplinks = ctx.uplinks.length
  if (!sweep && !ctx.probe && need.rows <= 0 && need.bytes <= 0 && singleStatement(staged.length, work)) {
    // One statement commits on its own: one trip to SQLite instead of BEGIN, it and COMMIT.
    ctx.faults.reach('journal.commit')
    const acked = staged.length > 0 ? new Map<string, number>() : await applyAcks(ctx.db, work.acks, work.parks, work.attempts)
    await insertEvents(ctx.db, staged, pendingUplinks, ctx.now())
    return { staged, duplicates, acked, evictions: [], nextPos, lastSeq }
  }
  await exec(ctx.db, 'BEGIN IMMEDIATE')
  try {
    const now = ctx.now()
    // Acknowledgements first: what they mark delivered goes first if this commit evicts.
    const acked = await applyAcks(ctx.db, work.acks, work.parks, work.attempts)
    const evictions: EvictionReport[] = []
    if (sweep) {
      const r = await ctx.evictor.evictOlderThan(now - ctx.maxAgeMs)
      if (r.delivered.length + r.undelivered.length > 0) evictions.push(lower(level, summarize('age', r.delivered, r.undelivered)))
    }
    const needNow = sweep ? evictionNeed(level, incoming, ctx.limits) : need
    if (needNow.rows > 0 || needNow.bytes > 0) {
      const r = await ctx.evictor.evict(needNow)
      evictions.push(lower(level, summarize(needNow.bytes > 0 && needNow.rows <= 0 ? 'bytes' : 'rows', r.delivered, r.undelivered)))
    }
    await insertEvents(ctx.db, staged, pendingUplinks, ctx.now())
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

/** Whether the commit is one statement (or none): events alone, or one uplink's acknowledgements alone. */
function singleStatement(events: number, work: AckWork): boolean {
  if (work.parks.length > 0 || work.attempts.length > 0) return false
  return events > 0 ? work.acks.size === 0 : work.acks.size <= 1
}

/** Seqs and positions for the batch's new events; nothing takes effect until the commit is applied. */
function stage(ctx: TransactionContext, batch: readonly QueuedAppend[], dup: ReadonlyArray<string | undefined>) {
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
  return { staged, duplicates, lastSeq, nextPos }
}

/** The level once an eviction inside this transaction has freed its rows. */
function lower(level: JournalLevel, r: EvictionReport): EvictionReport {
  level.rows -= r.delivered + r.undelivered
  level.bytes -= r.bytes
  return r
}
