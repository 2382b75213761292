import sqlite3 from 'sqlite3'

/** Thin promise wrappers over node-sqlite3's callbacks. */
export type Db = sqlite3.Database
export type SqlValue = string | number | null

export function openDb(path: string, mode: number): Promise<Db> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, mode, (err) => (err ? reject(err) : resolve(db)))
  })
}

export function run(db: Db, sql: string, params: SqlValue[] = []): Promise<{ changes: number; lastID: number }> {
  return new Promise((resolve, reject) => {
    db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
      if (err) reject(err)
      else resolve({ changes: this.changes, lastID: this.lastID })
    })
  })
}

export function all<T>(db: Db, sql: string, params: SqlValue[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => {
    db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)))
  })
}

export function exec(db: Db, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())))
}

export function closeDb(db: Db): Promise<void> {
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

/** `(?,?,?),(?,?,?)` for a multi-row statement. */
export function placeholders(rows: number, cols: number): string {
  const one = `(${new Array(cols).fill('?').join(',')})`
  return new Array(rows).fill(one).join(',')
}
