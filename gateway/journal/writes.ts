import type { GatewayEvent } from '../events/event.js'
import type { AppendInput } from './journal.js'
import { all, placeholders, run, type Db, type SqlValue } from './sqlite.js'

/** SQLite's host-parameter limit is 32766; stay well inside it and keep statements modest. */
const ROWS_PER_INSERT = 400
const IN_LIST_MAX = 900

export interface StagedEvent {
  pos: number
  event: GatewayEvent
  body: string
  bytes: number
  dedupeKey: string | undefined
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

function dedupeColumn(device: string, key: string): string {
  return `${device}\u0000${key}`
}

/**
 * For each input, the id of an already committed event it repeats (by producer id, or by dedupe
 * key received within its window of the earlier one), or undefined when it is new. Repeats inside
 * the batch count too.
 */
export async function findDuplicates(db: Db, inputs: readonly AppendInput[]): Promise<Array<string | undefined>> {
  const ids = inputs.filter((i) => i.checkId).map((i) => i.event.id)
  const keyed = inputs.filter((i) => i.dedupeKey !== undefined)
  const knownIds = new Set<string>()
  for (const c of chunks(ids, IN_LIST_MAX)) {
    for (const r of await all<{ id: string }>(db, `SELECT id FROM events WHERE id IN (${c.map(() => '?').join(',')})`, c)) knownIds.add(r.id)
  }
  const knownKeys = new Map<string, { id: string; at: number }>()
  const keys = keyed.map((i) => dedupeColumn(i.event.device, i.dedupeKey!))
  for (const c of chunks(keys, IN_LIST_MAX)) {
    const rows = await all<{ id: string; dedupe_key: string; received_at: number }>(
      db, `SELECT id, dedupe_key, received_at FROM events WHERE dedupe_key IN (${c.map(() => '?').join(',')}) ORDER BY pos`, c)
    for (const r of rows) knownKeys.set(r.dedupe_key, { id: r.id, at: r.received_at })
  }
  const out: Array<string | undefined> = []
  const batchIds = new Set<string>()
  for (const i of inputs) {
    let dup: string | undefined
    if (i.checkId && (knownIds.has(i.event.id) || batchIds.has(i.event.id))) dup = i.event.id
    if (dup === undefined && i.dedupeKey !== undefined) {
      const k = dedupeColumn(i.event.device, i.dedupeKey)
      const hit = knownKeys.get(k)
      // The window runs between the two receive times.
      const at = Date.parse(i.event.receivedAt)
      if (hit && at - hit.at <= (i.dedupeWindowMs ?? 30_000)) dup = hit.id
      else knownKeys.set(k, { id: i.event.id, at })
    }
    if (dup === undefined) batchIds.add(i.event.id)
    out.push(dup)
  }
  return out
}

/** Multi-row inserts: the events, one outbox row per uplink, and each device's last seq. */
export async function insertEvents(db: Db, staged: readonly StagedEvent[], uplinks: readonly string[], now: number): Promise<void> {
  for (const c of chunks(staged, ROWS_PER_INSERT)) {
    const p: SqlValue[] = []
    for (const s of c) {
      const e = s.event
      p.push(s.pos, e.id, e.device, e.kind, e.priority, Date.parse(e.receivedAt) || now, s.bytes, uplinks.length,
        s.dedupeKey === undefined ? null : dedupeColumn(e.device, s.dedupeKey), s.body)
    }
    await run(db, `INSERT INTO events (pos, id, device, kind, priority, received_at, bytes, pending_uplinks, dedupe_key, body) VALUES ${placeholders(c.length, 10)}`, p)
    for (const u of uplinks) {
      const q: SqlValue[] = []
      for (const s of c) q.push(u, s.pos, s.event.device, s.event.priority)
      await run(db, `INSERT INTO pending (uplink, pos, device, priority) VALUES ${placeholders(c.length, 4)}`, q)
    }
  }
  const last = new Map<string, number>()
  for (const s of staged) last.set(s.event.device, s.event.seq)
  for (const c of chunks([...last], ROWS_PER_INSERT)) {
    await run(db, `INSERT INTO devices (device, last_seq) VALUES ${placeholders(c.length, 2)} ON CONFLICT(device) DO UPDATE SET last_seq = excluded.last_seq`, c.flat())
  }
}

/** Deletes acknowledged outbox rows and parks refused ones; returns how many rows each uplink lost. */
export async function applyAcks(db: Db, acks: ReadonlyMap<string, number[]>, parks: ReadonlyArray<{ uplink: string; pos: number }>): Promise<Map<string, number>> {
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
  for (const { uplink, pos } of parks) {
    const r = await run(db, 'UPDATE pending SET parked = 1 WHERE uplink = ? AND pos = ? AND parked = 0', [uplink, pos])
    if (r.changes > 0) removed.set(uplink, (removed.get(uplink) ?? 0) + 1)
  }
  return removed
}
