import sqlite3 from 'sqlite3'

/** Thin promise wrappers over node-sqlite3's callbacks. */
export type Db = sqlite3.Database
export type SqlValue = string | number | null

export function openDb(path: string, mode: number): Promise<Db> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, mode, (err) => (err ? reject(err) : resolve(db)))
  })
}

/**
 * Prepared statements kept per connection, by SQL text, most recently used last. node-sqlite3's
 * `Database#run` and `#all` prepare, run and finalize a new statement on every call: three trips to
 * libuv's thread pool (about 50-100 µs each here), which made a one-event commit of seven
 * statements take about 1.5 ms against a 0.2 ms fsync. A kept statement runs in one trip.
 */
const STATEMENTS_PER_DB = 64
const statements = new WeakMap<Db, Map<string, Promise<sqlite3.Statement>>>()

function prepared(db: Db, sql: string): Promise<sqlite3.Statement> {
  let cache = statements.get(db)
  if (cache === undefined) {
    cache = new Map()
    statements.set(db, cache)
  }
  const hit = cache.get(sql)
  if (hit !== undefined) {
    cache.delete(sql)
    cache.set(sql, hit)
    return hit
  }
  const made = new Promise<sqlite3.Statement>((resolve, reject) => {
    const again = () => {
      const st: sqlite3.Statement = db.prepare(sql, (err: Error | null) => (err ? reject(err) : resolve(st)))
    }
    const st: sqlite3.Statement = db.prepare(sql, (err: Error | null) => (err ? refreshSchema(db, again) : resolve(st)))
  })
  cache.set(sql, made)
  // A statement that failed to prepare is not kept: the next call prepares it again.
  made.catch(() => forget(db, sql, made))
  if (cache.size > STATEMENTS_PER_DB) {
    const [oldest, st] = cache.entries().next().value as [string, Promise<sqlite3.Statement>]
    cache.delete(oldest)
    void st.then(
      (s) => s.finalize(),
      () => undefined,
    )
  }
  return made
}

function forget(db: Db, sql: string, st: Promise<sqlite3.Statement>): void {
  const cache = statements.get(db)
  if (cache?.get(sql) === st) cache.delete(sql)
}

/**
 * A statement that failed is finalized before the caller sees the error, so nothing of it (an
 * unreset step) is left when the caller rolls back; the next call prepares it again.
 */
function failed(db: Db, sql: string, made: Promise<sqlite3.Statement>, st: sqlite3.Statement, err: Error, reject: (e: Error) => void): void {
  forget(db, sql, made)
  st.finalize(() => reject(err))
}

/**
 * Before a second attempt at a statement that failed to prepare. SQLite prepares against the
 * schema this connection last read and reads it again only when a statement runs; a statement
 * that fails to prepare (a table another program renamed, which the writer's trigger names) never
 * runs, so without this every attempt would fail the same way after the table is back.
 */
function refreshSchema(db: Db, then: () => void): void {
  db.exec('SELECT 1 FROM main.sqlite_master LIMIT 1', () => then())
}

export function run(db: Db, sql: string, params: SqlValue[] = []): Promise<{ changes: number; lastID: number }> {
  const made = prepared(db, sql)
  return made.then(
    (st) =>
      new Promise((resolve, reject) => {
        st.run(params, function (this: sqlite3.RunResult, err: Error | null) {
          if (err) failed(db, sql, made, st, err, reject)
          else resolve({ changes: this.changes, lastID: this.lastID })
        })
      }),
  )
}

export function all<T>(db: Db, sql: string, params: SqlValue[] = []): Promise<T[]> {
  const made = prepared(db, sql)
  return made.then(
    (st) =>
      new Promise((resolve, reject) => {
        st.all(params, (err: Error | null, rows: T[]) => (err ? failed(db, sql, made, st, err, reject) : resolve(rows)))
      }),
  )
}

export function exec(db: Db, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())))
}

/** Finalizes the connection's kept statements (SQLite will not close with any left), then closes it. */
export async function closeDb(db: Db): Promise<void> {
  const cache = statements.get(db)
  statements.delete(db)
  const kept = await Promise.allSettled([...(cache?.values() ?? [])])
  await Promise.all(kept.map((k) => (k.status === 'fulfilled' ? new Promise<void>((r) => k.value.finalize(() => r())) : undefined)))
  return new Promise((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())))
}

/**
 * SQLite refused a row for what it holds (a constraint, a value too big or of the wrong type): the
 * same event fails every time, while the others in its batch can be stored. Every other error (I/O,
 * a failed fsync, busy, corrupt, out of memory) is the journal's own, and no event of the batch is
 * durable: it must never be taken for a refusal of one event, which would be acknowledged.
 */
export function isEventError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code
  return code === 'SQLITE_CONSTRAINT' || code === 'SQLITE_TOOBIG' || code === 'SQLITE_MISMATCH' || code === 'SQLITE_RANGE'
}

/** SQLite reports a full disk and a full database (max_page_count) alike. */
export function isFullError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code
  return code === 'SQLITE_FULL' || (code === 'SQLITE_IOERR' && /full|space/i.test(String((err as Error).message)))
}

export const OPEN_RW = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE
export const OPEN_RO = sqlite3.OPEN_READONLY
