import type { Logger } from '../../base/log.js'
import type { JournalCounters } from './counters.js'
import type { DiskRoom } from './disk-room.js'
import { LOW_WATER, evictionNeed, summarize, type EvictionReport, type JournalLimits } from './eviction.js'
import type { Evictor } from './evictor.js'
import { exec, type Db } from './sqlite.js'

/** After a full period the byte cap drops below what filled the disk, until the disk is measured again. */
const FULL_SHRINK = 0.9

export interface FullRecoveryDeps {
  db: Db
  room: DiskRoom
  evictor: Evictor
  counters: JournalCounters
  limits: JournalLimits
  log: Logger
  onEvicted(report: EvictionReport): void
}

/**
 * The disk or the database is full. Give SQLite room to work: release the spare file, checkpoint
 * the WAL into the database and truncate it (that frees the log's bytes), evict a tenth of the
 * journal in eviction order, and checkpoint again. The byte cap drops below what filled the disk.
 * True when room was made.
 */
export async function recoverFromFull(d: FullRecoveryDeps): Promise<boolean> {
  const stat = d.counters.stat
  stat.fullEvents++
  d.room.spare.release()
  await truncateWal(d)
  d.limits.maxBytes = Math.min(d.limits.maxBytes, Math.floor(stat.bytes * FULL_SHRINK))
  const need = evictionNeed(
    { rows: stat.rows, bytes: stat.bytes },
    { rows: 0, bytes: 0 },
    { maxRows: Math.floor(stat.rows * LOW_WATER), maxBytes: d.limits.maxBytes },
  )
  need.rows = Math.max(need.rows, Math.ceil(stat.rows / 10))
  try {
    await exec(d.db, 'BEGIN IMMEDIATE')
    const r = await d.evictor.evict(need)
    await exec(d.db, 'COMMIT')
    const report = d.counters.account(summarize('disk-full', r.delivered, r.undelivered))
    if (report.delivered + report.undelivered > 0) d.onEvicted(report)
  } catch (err) {
    await exec(d.db, 'ROLLBACK').catch(() => undefined) // SQLite may have rolled back already
    d.log.debug({ err }, 'journal full: eviction failed; retrying at the next recovery')
    return false
  }
  await truncateWal(d)
  return true
}

async function truncateWal(d: FullRecoveryDeps): Promise<void> {
  try {
    await exec(d.db, 'PRAGMA wal_checkpoint(TRUNCATE)')
  } catch (err) {
    d.log.debug({ err }, 'journal full: checkpoint failed')
  }
}
