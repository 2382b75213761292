import type { EvictionReport } from './eviction.js'
import type { JournalStats } from './types.js'

/** The journal's counters, kept in step with what each commit and eviction changed. */
export class JournalCounters {
  readonly stat: JournalStats = {
    rows: 0, bytes: 0, pending: {}, commits: 0, appended: 0, duplicates: 0,
    evictedDelivered: 0, evictedUndelivered: 0, fullEvents: 0, full: false, refusedFull: 0, unstorable: 0, maxBytes: 0,
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

  /** An eviction inside the open transaction (undone by `unaccount` on rollback). */
  account(r: EvictionReport): EvictionReport {
    this.apply(r, -1)
    return r
  }

  unaccount(r: EvictionReport): void {
    this.apply(r, 1)
  }

  private apply(r: EvictionReport, sign: 1 | -1): void {
    const s = this.stat
    s.rows += sign * (r.delivered + r.undelivered)
    s.bytes += sign * r.bytes
    s.evictedDelivered -= sign * r.delivered
    s.evictedUndelivered -= sign * r.undelivered
    for (const u of this.uplinks) s.pending[u] = Math.max(0, (s.pending[u] ?? 0) + sign * r.undelivered)
  }
}
