import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { JournalError, errorMessage } from '../../base/errors.js'
import { Checkpointer } from './checkpointer.js'
import { DDL, PRAGMAS, writerTriggers } from './ddl.js'
import { DiskRoom } from './disk-room.js'
import { OPEN_RO, OPEN_RW, all, closeDb, exec, openDb, type Db } from './sqlite.js'
import { adoptBoot, currentBootId } from './mono-clock.js'
import type { JournalOptions } from './types.js'

/** The journal's files, opened: the writer, the outbox's reader, the checkpointer and the disk's budget. */
export interface OpenedJournal {
  db: Db
  reader: Db
  room: DiskRoom
  checkpointer: Checkpointer | undefined
}

/** Opens (creating when absent) the database with its pragmas and tables, and the spare file beside it. */
export async function openJournalFiles(opts: JournalOptions): Promise<OpenedJournal> {
  if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true })
  const room = new DiskRoom(opts)
  const budget = room.budget
  const db = await openDb(opts.path, OPEN_RW)
  try {
    await exec(db, PRAGMAS)
    if (opts.maxPageCount !== undefined) await exec(db, `PRAGMA max_page_count = ${Math.floor(opts.maxPageCount)}`)
    // Checkpoints run on their own connection (checkpointer.ts), not inside a commit; when the
    // writer wraps the checkpointed WAL it truncates the file back to this size.
    if (opts.path !== ':memory:') await exec(db, `PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = ${budget.walMaxBytes}`)
    await exec(db, DDL)
    await migrate(db)
    await exec(db, writerTriggers(opts.uplinks))
    await adoptBoot(db, opts.bootId ?? currentBootId())
  } catch (err) {
    await closeDb(db)
    throw new JournalError(`cannot open the journal at ${opts.path}: ${errorMessage(err)}`, { cause: err })
  }
  const reader = await openDb(opts.path, OPEN_RO)
  const checkpointer = opts.path === ':memory:' ? undefined : await Checkpointer.start(opts.path, budget.walMaxBytes, opts.log)
  room.spare.ensure(budget.spareBytes)
  return { db, reader, room, checkpointer }
}

/**
 * Journals written before events.mono_at existed get the column (NULL: judged on the wall clock);
 * before events.seq, that column (NULL: the seq is in the body).
 */
async function migrate(db: Db): Promise<void> {
  const cols = await all<{ name: string }>(db, 'PRAGMA table_info(events)')
  if (!cols.some((c) => c.name === 'mono_at')) await exec(db, 'ALTER TABLE events ADD COLUMN mono_at INTEGER')
  if (!cols.some((c) => c.name === 'seq')) await exec(db, 'ALTER TABLE events ADD COLUMN seq INTEGER')
}
