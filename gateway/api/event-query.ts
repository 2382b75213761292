import { all, closeDb, exec, openDb, OPEN_RO, type Db, type SqlValue } from '../journal/sqlite.js'

/** What GET /events filters on; every field optional. Times in ms since the epoch (receivedAt). */
export interface EventFilter {
  device?: string | undefined
  kind?: string | undefined
  type?: string | undefined
  priority?: number | undefined
  from?: number | undefined
  to?: number | undefined
  /** Free text, matched anywhere in the stored JSON (case-insensitive for ASCII). */
  q?: string | undefined
  /** Only events older than this journal position (from a cursor). */
  beforePos?: number | undefined
  limit: number
}

export interface StoredEvent {
  pos: number
  event: Record<string, unknown>
}

/** `%`, `_` and `\` taken literally in LIKE. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * Reads the journal for the API on its own read-only connection: in WAL mode a reader never waits
 * for the writer nor holds it up, and sees only committed events. Newest first by journal position;
 * device, kind, type and priority are served by an index each (ddl.ts: events_device,
 * events_kind, events_type, events_priority); a time range and free text filter the walk, which
 * stops after `limit` matches (free text that matches nothing reads the whole journal).
 */
export class EventQuery {
  private constructor(private readonly db: Db) {}

  static async open(path: string): Promise<EventQuery> {
    const db = await openDb(path, OPEN_RO)
    await exec(db, 'PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;')
    return new EventQuery(db)
  }

  /** Up to `limit` events matching `f`, newest first, and whether older ones match too. */
  async list(f: EventFilter): Promise<{ events: StoredEvent[]; more: boolean }> {
    const where: string[] = []
    const params: SqlValue[] = []
    const add = (sql: string, v: SqlValue | undefined) => {
      if (v === undefined) return
      where.push(sql)
      params.push(v)
    }
    add('device = ?', f.device)
    add('kind = ?', f.kind)
    add("json_extract(body, '$.type') = ?", f.type)
    add('priority = ?', f.priority)
    // `+received_at`: no index for the time range. Positions follow arrival, so walking them newest
    // first and stopping at `limit` beats collecting a day of rows by time only to sort them.
    add('+received_at >= ?', f.from)
    add('+received_at < ?', f.to)
    add("body LIKE ? ESCAPE '\\'", f.q === undefined ? undefined : likePattern(f.q))
    add('pos < ?', f.beforePos)
    const sql = `SELECT pos, body FROM events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY pos DESC LIMIT ?`
    const rows = await all<{ pos: number; body: string }>(this.db, sql, [...params, f.limit + 1])
    const more = rows.length > f.limit
    return { events: rows.slice(0, f.limit).map((r) => ({ pos: r.pos, event: JSON.parse(r.body) as Record<string, unknown> })), more }
  }

  async byId(id: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await all<{ body: string }>(this.db, 'SELECT body FROM events WHERE id = ?', [id])
    return row ? (JSON.parse(row.body) as Record<string, unknown>) : undefined
  }

  close(): Promise<void> {
    return closeDb(this.db)
  }
}
