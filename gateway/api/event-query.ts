import { all, closeDb, exec, openDb, OPEN_RO, type Db, type SqlValue } from '../journal/sqlite.js'
import { positionRange } from './time-bounds.js'

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

/**
 * One page. `more`: older events may match; continue below `nextPos`. `complete` is false when
 * the scan budget ran out before `limit` matches: the page holds what the `scanned` rows gave, and
 * `nextPos` is where the scan stopped, not the last match.
 */
export interface EventPage {
  events: StoredEvent[]
  more: boolean
  nextPos: number | undefined
  complete: boolean
  scanned: number
}

/** Rows a request may examine for free text and the time test: about 6 ms at the median over 1,000,000 rows on the 2-core bench box, p99 16 ms (BENCHMARKS.md). */
export const SCAN_BUDGET_ROWS = 20_000

/** `%`, `_` and `\` taken literally in LIKE. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

class Where {
  readonly sql: string[] = []
  readonly params: SqlValue[] = []
  add(sql: string, v: SqlValue | undefined): void {
    if (v === undefined) return
    this.sql.push(sql)
    this.params.push(v)
  }
  text(): string {
    return this.sql.length > 0 ? `WHERE ${this.sql.join(' AND ')}` : ''
  }
}

/**
 * Reads the journal for the API on its own read-only connection: in WAL mode a reader never waits
 * for the writer nor holds it up, and sees only committed events. Newest first by journal position;
 * device, kind, type and priority are served by an index each (ddl.ts: events_device,
 * events_kind, events_type, events_priority). A time range is turned into a range of positions
 * through events_received (time-bounds.ts). Free text and the exact time test filter a walk of at
 * most `scanBudget` rows: a page that runs out of budget says so and its cursor continues the walk.
 */
export class EventQuery {
  private constructor(
    private readonly db: Db,
    private readonly scanBudget: number,
  ) {}

  static async open(path: string, scanBudget = SCAN_BUDGET_ROWS): Promise<EventQuery> {
    const db = await openDb(path, OPEN_RO)
    await exec(db, 'PRAGMA busy_timeout = 5000; PRAGMA query_only = 1;')
    return new EventQuery(db, scanBudget)
  }

  /** Up to `limit` events matching `f`, newest first, examining at most the scan budget's rows. */
  async list(f: EventFilter): Promise<EventPage> {
    const range = f.from === undefined && f.to === undefined ? { low: undefined, high: undefined } : await positionRange(this.db, f.from, f.to)
    if (range.low !== undefined && range.high !== undefined && range.low > range.high) {
      return { events: [], more: false, nextPos: undefined, complete: true, scanned: 0 }
    }
    const high = range.high === undefined ? f.beforePos : Math.min(range.high + 1, f.beforePos ?? Number.MAX_SAFE_INTEGER)
    const indexed = new Where()
    indexed.add('device = ?', f.device)
    indexed.add('kind = ?', f.kind)
    indexed.add("json_extract(body, '$.type') = ?", f.type)
    indexed.add('priority = ?', f.priority)
    indexed.add('pos < ?', high)
    indexed.add('pos >= ?', range.low)
    const walk = new Where()
    // `+received_at`: the positions above bound the walk; the exact test is per row.
    walk.add('+received_at >= ?', f.from)
    walk.add('+received_at < ?', f.to)
    walk.add("body LIKE ? ESCAPE '\\'", f.q === undefined ? undefined : likePattern(f.q))
    if (walk.sql.length === 0) {
      const rows = await all<{ pos: number; body: string }>(this.db, `SELECT pos, body FROM events ${indexed.text()} ORDER BY pos DESC LIMIT ?`, [
        ...indexed.params,
        f.limit + 1,
      ])
      return page(rows, f.limit, rows.length)
    }
    // The budget caps the rows the walk reads (the indexed filters choose them); the outer query
    // tests the rest. One more match than `limit` says the next page is not empty.
    const window = `SELECT pos, body, received_at FROM events ${indexed.text()} ORDER BY pos DESC LIMIT ?`
    const params = [...indexed.params, this.scanBudget]
    const rows = await all<{ pos: number; body: string }>(this.db, `SELECT pos, body FROM (${window}) ${walk.text()} ORDER BY pos DESC LIMIT ?`, [
      ...params,
      ...walk.params,
      f.limit + 1,
    ])
    if (rows.length > f.limit) {
      const [c] = await all<{ n: number }>(this.db, `SELECT COUNT(*) AS n FROM (${window}) WHERE pos >= ?`, [...params, rows[f.limit - 1]!.pos])
      return page(rows, f.limit, c?.n ?? 0)
    }
    const [w] = await all<{ n: number; low: number | null }>(this.db, `SELECT COUNT(*) AS n, MIN(pos) AS low FROM (${window})`, params)
    const scanned = w?.n ?? 0
    if (scanned < this.scanBudget || w?.low == null) return page(rows, f.limit, scanned)
    // Out of budget: what was found, and a cursor below the last row examined.
    return { events: rows.map(stored), more: true, nextPos: w.low, complete: false, scanned }
  }

  async byId(id: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await all<{ body: string }>(this.db, 'SELECT body FROM events WHERE id = ?', [id])
    return row ? (JSON.parse(row.body) as Record<string, unknown>) : undefined
  }

  close(): Promise<void> {
    return closeDb(this.db)
  }
}

function stored(r: { pos: number; body: string }): StoredEvent {
  return { pos: r.pos, event: JSON.parse(r.body) as Record<string, unknown> }
}

/** A page the walk finished: `limit + 1` rows mean more. */
function page(rows: Array<{ pos: number; body: string }>, limit: number, scanned: number): EventPage {
  const events = rows.slice(0, limit).map(stored)
  const more = rows.length > limit
  return { events, more, nextPos: more ? events.at(-1)?.pos : undefined, complete: true, scanned }
}
