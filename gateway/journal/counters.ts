import type { Logger } from '../../base/log.js'
import type { EvictionReport } from './eviction.js'
import { all, exec, run, type Db } from './sqlite.js'
import type { JournalStats } from './types.js'

export interface LoadedState {
  rows: number
  bytes: number
  pending: Record<string, number>
  /** The next outbox position: never one handed out before, even if those rows are gone. */
  nextPos: number
  lastSeq: Map<string, number>
}

/** The journal's counters read from disk at open; the outbox of an uplink no longer configured is dropped. */
export async function loadFromDisk(db: Db, uplinks: readonly string[], log: Logger): Promise<LoadedState> {
  const configured = new Set(uplinks)
  const stale = await all<{ uplink: string }>(db, 'SELECT DISTINCT uplink FROM pending')
  for (const { uplink } of stale) {
    if (configured.has(uplink)) continue
    log.warn({ uplink }, 'dropping the outbox of an uplink that is no longer configured')
    await exec(db, 'BEGIN')
    // The writer's trigger counts each deleted row off its event (ddl.ts).
    await run(db, 'DELETE FROM pending WHERE uplink = ?', [uplink])
    await exec(db, 'COMMIT')
  }
  const [t] = await all<{ n: number; b: number }>(db, 'SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM events')
  const pending: Record<string, number> = {}
  for (const u of uplinks) pending[u] = 0
  // Parked rows are no longer waiting: the running count leaves them out when it parks them.
  for (const r of await all<{ uplink: string; n: number }>(db, 'SELECT uplink, COUNT(*) AS n FROM pending WHERE parked = 0 GROUP BY uplink'))
    pending[r.uplink] = r.n
  const [s] = await all<{ m: number | null }>(
    db,
    "SELECT MAX(seq) AS m FROM (SELECT seq FROM sqlite_sequence WHERE name = 'events' UNION ALL SELECT MAX(pos) AS seq FROM events)",
  )
  const lastSeq = new Map<string, number>()
  for (const r of await all<{ device: string; last_seq: number }>(db, 'SELECT device, last_seq FROM devices')) lastSeq.set(r.device, r.last_seq)
  return { rows: t?.n ?? 0, bytes: t?.b ?? 0, pending, nextPos: (s?.m ?? 0) + 1, lastSeq }
}

/** The journal's counters, kept in step with what each commit and eviction changed. */
export class JournalCounters {
  readonly stat: JournalStats = {
    rows: 0,
    bytes: 0,
    pending: {},
    commits: 0,
    appended: 0,
    duplicates: 0,
    evictedDelivered: 0,
    evictedUndelivered: 0,
    fullEvents: 0,
    full: false,
    refusedFull: 0,
    refusedForOrder: 0,
    unstorable: 0,
    failedCommits: 0,
    maxBytes: 0,
  }

  constructor(private readonly uplinks: readonly string[]) {}

  committed(staged: ReadonlyArray<{ bytes: number }>, acked: ReadonlyMap<string, number>): void {
    const s = this.stat
    s.commits++
    s.appended += staged.length
    s.rows += staged.length
    for (const e of staged) s.bytes += e.bytes
    for (const u of this.uplinks) s.pending[u] = (s.pending[u] ?? 0) + staged.length
    for (const [u, n] of acked) s.pending[u] = Math.max(0, (s.pending[u] ?? 0) - n)
  }

  /** An eviction whose transaction committed. */
  account(r: EvictionReport): EvictionReport {
    const s = this.stat
    s.rows -= r.delivered + r.undelivered
    s.bytes -= r.bytes
    s.evictedDelivered += r.delivered
    s.evictedUndelivered += r.undelivered
    for (const u of this.uplinks) s.pending[u] = Math.max(0, (s.pending[u] ?? 0) - r.undelivered)
    return r
  }
}
