import { all, closeDb, type Db } from './sqlite.js'
import type { OutboxReads, OutboxRow } from '../../cloud-bridge/outbox.js'

export type { OutboxRow }

const COLS = 'p.pos AS pos, e.id AS id, p.device AS device, e.kind AS kind, p.priority AS priority, e.body AS body, p.attempts AS attempts'
const FROM = 'FROM pending p JOIN events e ON e.pos = p.pos'

/**
 * Reads the outbox on its own read-only connection: in WAL mode it sees only committed data and
 * never waits for the writer, so nothing is forwarded before it is durable.
 */
export class OutboxReader implements OutboxReads {
  constructor(private readonly db: Db) {}

  /** The next undelivered events after `afterPos`, in journal order. */
  page(uplink: string, afterPos: number, limit: number): Promise<OutboxRow[]> {
    return all<OutboxRow>(this.db, `SELECT ${COLS} ${FROM} WHERE p.uplink = ? AND p.parked = 0 AND p.pos > ? ORDER BY p.pos LIMIT ?`, [uplink, afterPos, limit])
  }

  /** Undelivered events at `maxPriority` or more urgent, after `afterPos`, in journal order. */
  urgent(uplink: string, afterPos: number, maxPriority: number, limit: number): Promise<OutboxRow[]> {
    return all<OutboxRow>(this.db, `SELECT ${COLS} ${FROM} WHERE p.uplink = ? AND p.parked = 0 AND p.priority <= ? AND p.pos > ? ORDER BY p.pos LIMIT ?`, [
      uplink,
      maxPriority,
      afterPos,
      limit,
    ])
  }

  /** A device's undelivered events between two positions: what must go before one of its urgent events. */
  devicePredecessors(uplink: string, device: string, afterPos: number, beforePos: number, limit: number): Promise<OutboxRow[]> {
    return all<OutboxRow>(
      this.db,
      `SELECT ${COLS} ${FROM} WHERE p.uplink = ? AND p.device = ? AND p.parked = 0 AND p.pos > ? AND p.pos < ? ORDER BY p.pos LIMIT ?`,
      [uplink, device, afterPos, beforePos, limit],
    )
  }

  async oldest(uplink: string): Promise<{ pos: number; receivedAt: number } | undefined> {
    const [r] = await all<{ pos: number; received_at: number }>(
      this.db,
      `SELECT p.pos AS pos, e.received_at AS received_at ${FROM} WHERE p.uplink = ? AND p.parked = 0 ORDER BY p.pos LIMIT 1`,
      [uplink],
    )
    return r ? { pos: r.pos, receivedAt: r.received_at } : undefined
  }

  async parkedCount(uplink: string): Promise<number> {
    const [r] = await all<{ n: number }>(this.db, 'SELECT COUNT(*) AS n FROM pending WHERE uplink = ? AND parked = 1', [uplink])
    return r?.n ?? 0
  }

  close(): Promise<void> {
    return closeDb(this.db)
  }
}
