/**
 * How much of its file system the journal lets itself use. Pure: the caller measures the disk.
 *
 * A WAL database that has filled its disk cannot even delete (ARCHITECTURE.md), so the journal
 * keeps three things well inside the space it found: the spare file it releases when SQLite reports
 * the disk full, the write-ahead log (checkpointed by size), and the events themselves.
 */
export interface DiskSpace {
  /** Bytes the journal may still take: free space plus what its own files (database, WAL, spare) hold. */
  available: number
}

export interface DiskBudget {
  spareBytes: number
  walMaxBytes: number
  /** The cap on the events' body bytes (the journal's `maxBytes`), after the disk is accounted for. */
  maxBytes: number
}

/** The spare takes at most this share of the space; it must cover one WAL's worth of checkpoint. */
export const SPARE_SHARE = 0.1
export const WAL_SHARE = 0.05
/** The events may fill about half of what is left; the rest is headroom for other writers. */
export const EVENTS_SHARE = 0.5
/**
 * Bytes on disk per byte of event body: the row, its four indexes, one outbox row per uplink with
 * two indexes, and page slack. Measured about 2.2 with 400-byte events and one uplink; rounded up.
 */
export const DISK_BYTES_PER_BODY_BYTE = 3
const PAGE = 4096
const MIN_WAL_BYTES = 16 * PAGE

export function budgetFor(space: DiskSpace, configured: { spareBytes: number; walMaxBytes: number; maxBytes: number }): DiskBudget {
  const available = Math.max(0, space.available)
  const walMaxBytes = Math.max(MIN_WAL_BYTES, Math.min(configured.walMaxBytes, Math.floor(available * WAL_SHARE)))
  // A released spare lets a checkpoint copy the whole WAL into the database: at least one WAL.
  const spareBytes = configured.spareBytes <= 0 ? 0 : Math.min(configured.spareBytes, Math.max(walMaxBytes, Math.floor(available * SPARE_SHARE)))
  const forEvents = Math.max(0, available - spareBytes - 2 * walMaxBytes) * EVENTS_SHARE
  const maxBytes = Math.min(configured.maxBytes, Math.floor(forEvents / DISK_BYTES_PER_BODY_BYTE))
  return { spareBytes, walMaxBytes, maxBytes }
}
