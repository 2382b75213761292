import type { GatewayEvent } from '../../base/events/event.js'
import type { AppendInput } from './types.js'
import { all, placeholders, run, type Db, type SqlValue } from './sqlite.js'
import type { AckWork } from './ack-queue.js'

/** SQLite's host-parameter limit is 32766; stay well inside it and keep statements modest. */
const ROWS_PER_INSERT = 400
const IN_LIST_MAX = 900

export interface StagedEvent {
  pos: number
  event: GatewayEvent
  body: string
  bytes: number
  dedupeKey: string | undefined
  dedupeScope?: string | undefined
  monoAt?: number | undefined
}

/**
 * An event's JSON without its seq (which the commit assigns). Serializing before the event joins a
 * batch confines what JSON.stringify may throw (a cycle, a BigInt, nesting deep enough to overflow
 * the stack) to that one append, instead of failing the commit of every event in the batch.
 */
export function serializeUnsequenced(event: object): string {
  if (Object.hasOwn(event, 'seq')) {
    const { seq: _ignored, ...rest } = event as { seq?: unknown }
    return JSON.stringify(rest)
  }
  return JSON.stringify(event)
}

/** The stored body: seq last, as `JSON.stringify({ ...event, seq })` would place it. */
export function withSeq(unsequenced: string, seq: number): string {
  return `${unsequenced.slice(0, -1)}${unsequenced.length > 2 ? ',' : ''}"seq":${seq}}`
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** When an input names no window (the adapters do). */
const DEFAULT_DEDUPE_WINDOW_MS = 30_000

/**
 * The dedupe column: device, source scope and key, so that "the latest keyed event from this
 * source" is a prefix range. Ids cannot hold NUL, and adapters' scopes do not.
 */
function scopePrefix(device: string, scope: string): string {
  return `${device}\u0000${scope}\u0000`
}

function dedupeColumn(device: string, key: string, scope: string | undefined): string {
  return scopePrefix(device, scope ?? key) + key
}

interface Committed {
  id: string
  pos: number
  /** Wall clock (receivedAt), for events whose monotonic time is not known (another boot). */
  at: number
  /** Monotonic time when appended, or null. */
  mono: number | null
}

/**
 * How long after `hit` the input was received: on the monotonic clock when both times are on it
 * (the same boot), else on the wall clock. A wall-clock step (NTP, a box without an RTC corrected
 * after a restart) must not turn a device's retransmission into a second event.
 */
function elapsedMs(i: AppendInput, hit: { at: number; mono: number | null }): number {
  if (hit.mono !== null && i.monoAt !== undefined) return i.monoAt - hit.mono
  return Date.parse(i.event.receivedAt) - hit.at
}

/**
 * For each input, the id of an already committed event it repeats, or undefined when it is new.
 * A repeat by producer id is always one. A repeat by dedupe key is a retransmission only when the
 * source sent nothing else since: the latest keyed event committed from the same device and
 * scope has the same key and was received within the window, measured on the monotonic clock
 * (`elapsedMs`). The same text after anything else
 * from that source (an alarm, its restore, the alarm again) is a new event. Read from SQLite, so
 * it holds across a kill -9 between the commit and the device's acknowledgement. Repeats inside
 * the batch count too.
 */
export async function findDuplicates(db: Db, inputs: readonly AppendInput[]): Promise<Array<string | undefined>> {
  const knownIds = await committedIds(
    db,
    inputs.filter((i) => i.checkId).map((i) => i.event.id),
  )
  const lastByKey = await lastByDedupeColumn(db, inputs)
  /** The latest new event of each scope in this batch: it is later than anything committed. */
  const batchLatest = new Map<string, { column: string; id: string; at: number; mono: number | null }>()
  const out: Array<string | undefined> = []
  const batchIds = new Set<string>()
  for (const i of inputs) {
    let dup: string | undefined
    if (i.checkId && (knownIds.has(i.event.id) || batchIds.has(i.event.id))) dup = i.event.id
    if (dup === undefined && i.dedupeKey !== undefined) {
      const prefix = scopePrefix(i.event.device, i.dedupeScope ?? i.dedupeKey)
      const column = prefix + i.dedupeKey
      // The window runs between the two receive times.
      const windowMs = i.dedupeWindowMs ?? DEFAULT_DEDUPE_WINDOW_MS
      const inBatch = batchLatest.get(prefix)
      if (inBatch) {
        if (inBatch.column === column && elapsedMs(i, inBatch) <= windowMs) dup = inBatch.id
      } else {
        const hit = lastByKey.get(column)
        // Without a scope of its own the key is the scope: nothing else can come in between.
        if (hit && elapsedMs(i, hit) <= windowMs && (i.dedupeScope === undefined || !(await laterInScope(db, prefix, hit.pos)))) dup = hit.id
      }
      if (dup === undefined) batchLatest.set(prefix, { column, id: i.event.id, at: Date.parse(i.event.receivedAt), mono: i.monoAt ?? null })
    }
    if (dup === undefined) batchIds.add(i.event.id)
    out.push(dup)
  }
  return out
}

async function committedIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>()
  for (const c of chunks(ids, IN_LIST_MAX)) {
    for (const r of await all<{ id: string }>(db, `SELECT id FROM events WHERE id IN (${c.map(() => '?').join(',')})`, c)) known.add(r.id)
  }
  return known
}

/**
 * The latest committed event of each input's dedupe column. Not bounded by receivedAt: after a
 * wall-clock step forward the original would fall outside any wall-clock bound.
 */
async function lastByDedupeColumn(db: Db, inputs: readonly AppendInput[]): Promise<Map<string, Committed>> {
  const keyed = inputs.filter((i) => i.dedupeKey !== undefined)
  const last = new Map<string, Committed>()
  if (keyed.length === 0) return last
  const columns = [...new Set(keyed.map((i) => dedupeColumn(i.event.device, i.dedupeKey!, i.dedupeScope)))]
  for (const c of chunks(columns, IN_LIST_MAX)) {
    const rows = await all<{ id: string; pos: number; dedupe_key: string; received_at: number; mono_at: number | null }>(
      db,
      `SELECT id, pos, dedupe_key, received_at, mono_at FROM events WHERE pos IN (SELECT MAX(pos) FROM events WHERE dedupe_key IN (${c.map(() => '?').join(',')}) GROUP BY dedupe_key)`,
      c,
    )
    for (const r of rows) last.set(r.dedupe_key, { id: r.id, pos: r.pos, at: r.received_at, mono: r.mono_at })
  }
  return last
}

/**
 * Whether the source committed anything keyed after `pos`. Asked only for a recent repeat, so
 * the scan runs over the events since it (by position: the unary `+` keeps SQLite off the dedupe
 * index, whose range would cover the source's whole history).
 */
async function laterInScope(db: Db, prefix: string, pos: number): Promise<boolean> {
  // Every column of the scope starts with the prefix, which ends in NUL: they sort before prefix + U+0001.
  const end = `${prefix.slice(0, -1)}\u0001`
  const rows = await all<{ one: number }>(db, 'SELECT 1 AS one FROM events WHERE pos > ? AND +dedupe_key >= ? AND +dedupe_key < ? LIMIT 1', [pos, prefix, end])
  return rows.length > 0
}

/** Multi-row inserts: the events, one outbox row per uplink, and each device's last seq. */
export async function insertEvents(db: Db, staged: readonly StagedEvent[], uplinks: readonly string[], now: number): Promise<void> {
  for (const c of chunks(staged, ROWS_PER_INSERT)) {
    const p: SqlValue[] = []
    for (const s of c) {
      const e = s.event
      p.push(
        s.pos,
        e.id,
        e.device,
        e.kind,
        e.priority,
        Date.parse(e.receivedAt) || now,
        s.bytes,
        uplinks.length,
        s.dedupeKey === undefined ? null : dedupeColumn(e.device, s.dedupeKey, s.dedupeScope),
        s.body,
        s.monoAt ?? null,
      )
    }
    await run(
      db,
      `INSERT INTO events (pos, id, device, kind, priority, received_at, bytes, pending_uplinks, dedupe_key, body, mono_at) VALUES ${placeholders(c.length, 11)}`,
      p,
    )
    for (const u of uplinks) {
      const q: SqlValue[] = []
      for (const s of c) q.push(u, s.pos, s.event.device, s.event.priority)
      await run(db, `INSERT INTO pending (uplink, pos, device, priority) VALUES ${placeholders(c.length, 4)}`, q)
    }
  }
  const last = new Map<string, number>()
  for (const s of staged) last.set(s.event.device, s.event.seq)
  for (const c of chunks([...last], ROWS_PER_INSERT)) {
    await run(
      db,
      `INSERT INTO devices (device, last_seq) VALUES ${placeholders(c.length, 2)} ON CONFLICT(device) DO UPDATE SET last_seq = excluded.last_seq`,
      c.flat(),
    )
  }
}

/**
 * Deletes acknowledged outbox rows, parks refused ones and adds refused attempts; returns how many
 * rows each uplink lost.
 */
export async function applyAcks(
  db: Db,
  acks: ReadonlyMap<string, number[]>,
  parks: AckWork['parks'],
  attempts: AckWork['attempts'],
): Promise<Map<string, number>> {
  const removed = new Map<string, number>()
  for (const [uplink, positions] of acks) {
    for (const c of chunks([...new Set(positions)], IN_LIST_MAX)) {
      const list = c.map(() => '?').join(',')
      const present = await all<{ pos: number }>(db, `SELECT pos FROM pending WHERE uplink = ? AND pos IN (${list})`, [uplink, ...c])
      if (present.length === 0) continue
      const pl = present.map(() => '?').join(',')
      const ps = present.map((r) => r.pos)
      await run(db, `DELETE FROM pending WHERE uplink = ? AND pos IN (${pl})`, [uplink, ...ps])
      await run(db, `UPDATE events SET pending_uplinks = pending_uplinks - 1 WHERE pos IN (${pl})`, ps)
      removed.set(uplink, (removed.get(uplink) ?? 0) + present.length)
    }
  }
  // Before the parks: a row parked in this commit keeps the count of the attempts that parked it.
  for (const { uplink, pos, n } of attempts) await run(db, 'UPDATE pending SET attempts = attempts + ? WHERE uplink = ? AND pos = ?', [n, uplink, pos])
  for (const { uplink, pos } of parks) {
    const r = await run(db, 'UPDATE pending SET parked = 1 WHERE uplink = ? AND pos = ? AND parked = 0', [uplink, pos])
    if (r.changes > 0) removed.set(uplink, (removed.get(uplink) ?? 0) + 1)
  }
  return removed
}
