import { UNDELIVERED_EVICTION_ORDER, takeUntil, type Candidate, type EvictionNeed } from './eviction.js'
import { all, run, type Db } from './sqlite.js'
import { chunks } from './writes.js'

const SCAN_CHUNK = 2000
/** The seq lives in the stored body only (the commit writes it there). */
const COLUMNS = "pos, bytes, priority, device, json_extract(body, '$.seq') AS seq"

export interface Evicted {
  delivered: Candidate[]
  undelivered: Candidate[]
}

/** Deletes events inside the caller's open transaction, in the order eviction.ts defines. */
export class Evictor {
  constructor(private readonly db: Db) {}

  async evict(need: EvictionNeed): Promise<Evicted> {
    const delivered: Candidate[] = []
    const undelivered: Candidate[] = []
    let rest = need
    let after = 0
    // Delivered first, oldest first.
    while (rest.rows > 0 || rest.bytes > 0) {
      const rows = await all<Candidate>(this.db, `SELECT ${COLUMNS} FROM events WHERE pending_uplinks = 0 AND pos > ? ORDER BY pos LIMIT ?`, [
        after,
        SCAN_CHUNK,
      ])
      if (rows.length === 0) break
      const t = takeUntil(rows, rest)
      delivered.push(...t.taken)
      rest = t.rest
      after = rows[rows.length - 1]!.pos
    }
    // Then undelivered, lowest priority first, oldest first within a priority.
    for (const priority of UNDELIVERED_EVICTION_ORDER) {
      after = 0
      while (rest.rows > 0 || rest.bytes > 0) {
        const rows = await all<Candidate>(
          this.db,
          `SELECT ${COLUMNS} FROM events WHERE priority = ? AND pending_uplinks > 0 AND pos > ? ORDER BY pos LIMIT ?`,
          [priority, after, SCAN_CHUNK],
        )
        if (rows.length === 0) break
        const t = takeUntil(rows, rest)
        undelivered.push(...t.taken)
        rest = t.rest
        after = rows[rows.length - 1]!.pos
      }
    }
    await this.remove([...delivered, ...undelivered])
    return { delivered, undelivered }
  }

  /** Events received before `cutoffMs`, delivered or not: the age bound. */
  async evictOlderThan(cutoffMs: number): Promise<Evicted> {
    const rows = await all<Candidate & { pending_uplinks: number }>(
      this.db,
      `SELECT ${COLUMNS}, pending_uplinks FROM events WHERE received_at < ? ORDER BY pos LIMIT 20000`,
      [cutoffMs],
    )
    const delivered = rows.filter((r) => r.pending_uplinks === 0)
    const undelivered = rows.filter((r) => r.pending_uplinks > 0)
    await this.remove(rows)
    return { delivered, undelivered }
  }

  private async remove(victims: readonly Candidate[]): Promise<void> {
    for (const c of chunks(
      victims.map((v) => v.pos),
      900,
    )) {
      const list = c.map(() => '?').join(',')
      await run(this.db, `DELETE FROM pending WHERE pos IN (${list})`, c)
      await run(this.db, `DELETE FROM events WHERE pos IN (${list})`, c)
    }
  }
}
