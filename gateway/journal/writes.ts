import type { GatewayEvent } from '../../base/events/event.js'
import type { AppendInput } from './types.js'
import { all, run, type Db, type SqlValue } from './sqlite.js'
import type { AckWork } from './ack-queue.js'

/** SQLite's host-parameter limit is 32766; stay well inside it and keep statements modest. */
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
  return `${device}\u0000${scope}\u0000`.toWellFormed()
}

/**
 * Well-formed text (a lone surrogate becomes U+FFFD), so the column a commit stores through its
 * JSON parameter and the one a lookup binds are the same bytes; SQLite's JSON refuses a lone
 * surrogate's escape, which would fail the whole batch.
 */
function dedupeColumn(device: string, key: string, scope: string | undefined): string {
  return scopePrefix(device, scope ?? key) + key.toWellFormed()
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
      const column = dedupeColumn(i.event.device, i.dedupeKey, i.dedupeScope)
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

const EVENT_COLUMNS = 'pos, id, device, kind, priority, received_at, bytes, pending_uplinks, dedupe_key, body, mono_at, seq'
/**
 * One statement whatever the batch's size: the rows travel as one JSON array parameter and SQLite
 * takes them apart on its own thread. Binding a dozen parameters per event cost the event loop
 * about three times as much, and each batch size was a statement of its own to prepare.
 */
const INSERT_EVENTS = `INSERT INTO events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS.split(', ')
  .map((_, i) => `value->>${i}`)
  .join(', ')} FROM json_each(?)`

/** The events in one INSERT; the writer's trigger adds each one's outbox rows and its device's last seq (ddl.ts). */
export async function insertEvents(db: Db, staged: readonly StagedEvent[], pendingUplinks: number, now: number): Promise<void> {
  if (staged.length === 0) return
  await run(db, INSERT_EVENTS, [eventRows(staged, pendingUplinks, now)])
}

/** The rows as the JSON array INSERT_EVENTS reads, one array per event in EVENT_COLUMNS order. */
export function eventRows(staged: readonly StagedEvent[], pendingUplinks: number, now: number): string {
  const rows: SqlValue[][] = new Array(staged.length)
  for (let i = 0; i < staged.length; i++) {
    const s = staged[i]!
    const e = s.event
    // Well-formed text, as in dedupeColumn: ids, devices and kinds are validated before they get
    // here, and the body needs nothing (JSON.stringify escaped its lone surrogates into ASCII).
    rows[i] = [
      s.pos,
      e.id.toWellFormed(),
      e.device.toWellFormed(),
      e.kind.toWellFormed(),
      e.priority,
      Date.parse(e.receivedAt) || now,
      s.bytes,
      pendingUplinks,
      s.dedupeKey === undefined ? null : dedupeColumn(e.device, s.dedupeKey, s.dedupeScope),
      s.body,
      s.monoAt ?? null,
      e.seq,
    ]
  }
  return JSON.stringify(rows)
}

/** An acknowledgement of any number of positions: one statement, the positions as a JSON array. */
const ACK_DELETE = 'DELETE FROM pending WHERE uplink = ? AND pos IN (SELECT value FROM json_each(?)) RETURNING pos'

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
    // The writer's trigger counts each deleted row off its event (ddl.ts).
    const gone = await all<{ pos: number }>(db, ACK_DELETE, [uplink, JSON.stringify(positions)])
    if (gone.length > 0) removed.set(uplink, (removed.get(uplink) ?? 0) + gone.length)
  }
  // Before the parks: a row parked in this commit keeps the count of the attempts that parked it.
  for (const { uplink, pos, n } of attempts) await run(db, 'UPDATE pending SET attempts = attempts + ? WHERE uplink = ? AND pos = ?', [n, uplink, pos])
  for (const { uplink, pos } of parks) {
    const r = await run(db, 'UPDATE pending SET parked = 1 WHERE uplink = ? AND pos = ? AND parked = 0', [uplink, pos])
    if (r.changes > 0) removed.set(uplink, (removed.get(uplink) ?? 0) + 1)
  }
  return removed
}
