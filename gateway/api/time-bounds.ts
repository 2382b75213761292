import { all, type Db } from '../journal/sqlite.js'

/**
 * How far back the wall clock may step (NTP, an operator's `date -s`) and the journal's time range
 * still find every event. Positions follow arrival and receivedAt nearly follows positions: two
 * adapters committing in one batch, or an NTP step, put a slightly older time after a newer one.
 */
export const CLOCK_STEP_TOLERANCE_MS = 60_000

/** Positions bounding a time range: `low` and `high` inclusive; undefined means unbounded. */
export interface PositionRange {
  low: number | undefined
  high: number | undefined
}

/**
 * The range of positions that can hold events with `from <= receivedAt < to`, found through the
 * events_received index (ddl.ts, kept for eviction) in a few lookups instead of a walk of the rows
 * outside the range. Each end is taken from the rows within CLOCK_STEP_TOLERANCE_MS of the time
 * nearest the bound: an event outside the range found is one stamped more than that before an event
 * the journal already held.
 */
export async function positionRange(db: Db, from: number | undefined, to: number | undefined): Promise<PositionRange> {
  return {
    low: from === undefined ? undefined : await lowest(db, from),
    high: to === undefined ? undefined : await highest(db, to),
  }
}

/** The lowest position at or after `from`; past the journal's end when nothing is. */
async function lowest(db: Db, from: number): Promise<number> {
  const [first] = await all<{ at: number }>(db, 'SELECT received_at AS at FROM events WHERE received_at >= ? ORDER BY received_at LIMIT 1', [from])
  if (!first) return Number.MAX_SAFE_INTEGER
  const [r] = await all<{ pos: number }>(db, 'SELECT MIN(pos) AS pos FROM events WHERE received_at >= ? AND received_at <= ?', [
    from,
    first.at + CLOCK_STEP_TOLERANCE_MS,
  ])
  return r!.pos
}

/** The highest position before `to`; 0 when nothing is. */
async function highest(db: Db, to: number): Promise<number> {
  const [last] = await all<{ at: number }>(db, 'SELECT received_at AS at FROM events WHERE received_at < ? ORDER BY received_at DESC LIMIT 1', [to])
  if (!last) return 0
  const [r] = await all<{ pos: number }>(db, 'SELECT MAX(pos) AS pos FROM events WHERE received_at >= ? AND received_at < ?', [
    last.at - CLOCK_STEP_TOLERANCE_MS,
    to,
  ])
  return r!.pos
}
