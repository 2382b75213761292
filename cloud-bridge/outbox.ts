/**
 * What the forwarder needs from the store it drains. The gateway's journal implements it over
 * SQLite (`gateway/journal/`); `memory-outbox.ts` implements it in memory. `cloud-bridge/` knows
 * only this file, so an uplink or the forwarder can be driven by either.
 *
 * Every uplink has its own outbox inside the store: one uplink's delivered marks and parked events
 * never change what another reads. Positions (`pos`) are the store's commit order, shared by all
 * uplinks and increasing; an event's position never changes and is never handed out twice.
 */

/** One undelivered event as an uplink sends it. */
export interface OutboxRow {
  /** Commit order in the store; a device's events are committed in the order the device sent them. */
  pos: number
  id: string
  device: string
  kind: string
  /** 1 (life safety) is the most urgent. */
  priority: number
  /** The event as JSON, as the platform receives it. */
  body: string
  /**
   * Refused attempts recorded for this uplink before the read (`Outbox.attempted`); absent on rows
   * announced at commit, which nobody has tried yet. Lets a restarted forwarder go on counting.
   */
  attempts?: number
}

/**
 * The reading side: what is waiting for one uplink. Only committed (durable) events are returned,
 * and never a delivered or parked one.
 */
export interface OutboxReads {
  /** The next waiting events after `afterPos`, in position order, at most `limit`. */
  page(uplink: string, afterPos: number, limit: number): Promise<OutboxRow[]>
  /** Waiting events at `maxPriority` or more urgent after `afterPos`, in position order, at most `limit`. */
  urgent(uplink: string, afterPos: number, maxPriority: number, limit: number): Promise<OutboxRow[]>
  /**
   * One device's waiting events strictly between two positions, in order, at most `limit`: what must
   * be sent before that device's urgent event at `beforePos` so its order does not change.
   */
  devicePredecessors(uplink: string, device: string, afterPos: number, beforePos: number, limit: number): Promise<OutboxRow[]>
  /** The first waiting event and when the gateway received it; undefined when nothing waits. */
  oldest(uplink: string): Promise<{ pos: number; receivedAt: number } | undefined>
  /** Events set aside for this uplink with `park`. */
  parkedCount(uplink: string): Promise<number>
}

/** A listener for newly committed events, in position order. */
export type CommittedListener = (rows: OutboxRow[]) => void

/** The whole outbox as the forwarder drives it. */
export interface Outbox extends OutboxReads {
  /**
   * Marks events delivered to an uplink: they are no longer read for it. The mark may be recorded
   * later (losing it only means a resend), so a read right after may still return them.
   */
  ack(uplink: string, positions: readonly number[]): void
  /** Sets an event aside for one uplink: it stays stored but is no longer read for it. Recorded like `ack`. */
  park(uplink: string, pos: number): void
  /** Counts one refused attempt of an event for one uplink; reads after it is recorded carry the total. Recorded like `ack`. */
  attempted(uplink: string, pos: number): void
  /** Events waiting for the uplink, without reading the store; delivered ones count until their marks are recorded. */
  pendingCount(uplink: string): number
  /** Called after each commit with the events it made durable; the forwarder's live path. */
  on(event: 'committed', listener: CommittedListener): unknown
  off(event: 'committed', listener: CommittedListener): unknown
}
