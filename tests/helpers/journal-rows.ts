import { DDL } from '../../gateway/journal/ddl.js'
import { closeDb, exec, openDb, OPEN_RW, run } from '../../gateway/journal/sqlite.js'

/** How the synthetic journal's rows look: row `i` (1-based) is at position `i`. */
export interface RowShape {
  rows: number
  /** receivedAt of row `i`, an SQL expression over `i`. */
  receivedAtSql: string
  /** Rows whose body carries `word`: every row `i` with `i % every === offset`. */
  word: string
  every: number
  offset: number
}

/**
 * Fills a journal file with `rows` events in one transaction straight through SQLite (a recursive
 * CTE: a million rows in seconds, where the journal's own path takes minutes). Devices, kinds and
 * types cycle; bodies are shaped like the gateway's.
 */
export async function fillJournal(path: string, s: RowShape): Promise<void> {
  const db = await openDb(path, OPEN_RW)
  await exec(db, `PRAGMA journal_mode = WAL; ${DDL}`)
  await run(
    db,
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?),
    r AS (SELECT i, ${s.receivedAtSql} AS at, 'dev' || (i % 10) AS device, CASE WHEN i % 7 = 0 THEN 'access' ELSE 'alarm' END AS kind FROM n)
    INSERT INTO events (pos, id, device, kind, priority, received_at, bytes, pending_uplinks, dedupe_key, body, mono_at)
    SELECT i, printf('0190b6a0-0000-7000-8000-%012d', i), device, kind, 1 + i % 4, at, 300, 0, NULL,
      json_object('id', printf('0190b6a0-0000-7000-8000-%012d', i), 'seq', i, 'device', device, 'kind', kind,
        'type', CASE WHEN kind = 'access' THEN 'access.granted' ELSE 'test' END, 'priority', 1 + i % 4,
        'receivedAt', strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch'),
        'attrs', json_object('note', CASE WHEN i % ? = ? THEN ? ELSE 'routine check' END, 'n', i)),
      NULL
    FROM r`,
    [s.rows, s.every, s.offset, s.word],
  )
  await closeDb(db)
}
