import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { all, closeDb, openDb, OPEN_RW } from '../../../gateway/journal/sqlite.js'

/**
 * `PRAGMA integrity_check` on a copy of the journal as the crash left it (database and WAL), so
 * the check's own recovery and checkpoint cannot change what the restarted gateway will find.
 * Returns 'ok' or SQLite's list of problems.
 */
export async function integrityOfCopy(dbPath: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-chaos-ic-'))
  try {
    const copy = join(dir, 'journal.db')
    copyFileSync(dbPath, copy)
    if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${copy}-wal`)
    const db = await openDb(copy, OPEN_RW)
    try {
      const rows = await all<{ integrity_check: string }>(db, 'PRAGMA integrity_check')
      return rows.map((r) => r.integrity_check).join('; ')
    } finally {
      await closeDb(db)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
