import type { Logger } from '../../base/log.js'
import type { Faults } from '../../base/faults.js'
import type { GatewayEvent } from '../../base/events/event.js'
import type { EvictionReport } from './eviction.js'
import type { OutboxRow } from './outbox.js'

export interface JournalOptions {
  path: string
  maxRows: number
  maxBytes: number
  maxAgeMs: number
  /** The most the spare file takes; less on a disk too small for it (disk-budget.ts). */
  spareBytes: number
  /** The WAL is checkpointed once it passes this size (less on a small disk); default 4 MiB. */
  walMaxBytes?: number
  /** `close()` gives up on what it cannot commit after this long; default 5 s. */
  closeTimeoutMs?: number
  batchMaxEvents: number
  /** Every event is pending for each of these until that uplink acknowledges it. */
  uplinks: string[]
  log: Logger
  now: () => number
  /** Caps the database file (SQLite max_page_count), to exercise the full-database path. */
  maxPageCount?: number
  /** Fault points for the fault-injection suite (base/faults.ts); none by default. */
  faults?: Faults
  /**
   * A clock that never steps, in ms: the order barrier's bound and the retransmission window.
   * Default: CLOCK_MONOTONIC (`process.hrtime`), which runs from the boot and is shared by every
   * process on the box, so it also holds across a restart of the gateway (not across a reboot).
   */
  monotonicNow?: () => number
  /** Which boot `monotonicNow` counts from; default: the kernel's boot_id (mono-clock.ts). */
  bootId?: string
}

/** An event ready for the journal: everything but its per-device seq, which the commit assigns. */
export interface AppendInput {
  event: Omit<GatewayEvent, 'seq'>
  /** Look the id up first: producer-supplied ids may be repeats of committed events. */
  checkId?: boolean
  dedupeKey?: string
  dedupeWindowMs?: number
  /** The source a retransmission must follow directly (see `EventInput.dedupeScope`). */
  dedupeScope?: string
  /**
   * When the event was received on the journal's monotonic clock (`JournalOptions.monotonicNow`);
   * default: when `append` is called. The retransmission window is judged on it, not on receivedAt.
   */
  monoAt?: number
}

export interface AppendResult {
  id: string
  duplicate: boolean
  /** The committed event (the earlier one's id for a duplicate; seq is 0 then). */
  event: GatewayEvent
}

export interface QueuedAppend {
  input: AppendInput
  /** The event's JSON without seq, made when it was queued. */
  body: string
  resolve: (r: AppendResult) => void
  reject: (e: Error) => void
}

export interface JournalStats {
  rows: number
  bytes: number
  pending: Record<string, number>
  commits: number
  appended: number
  duplicates: number
  evictedDelivered: number
  evictedUndelivered: number
  /** Recoveries from a full disk or database attempted. */
  fullEvents: number
  /** True while commits fail because the disk or database is full. */
  full: boolean
  /** Events refused because the journal was full (their devices were not acknowledged). */
  refusedFull: number
  /** Events refused alone because they could not be serialized or SQLite refused their row. */
  unstorable: number
  /** Events refused because an earlier event of their device was refused and not yet sent again (order-barrier.ts). */
  refusedForOrder: number
  /** Commits that failed for the journal's own reason (I/O, fsync, busy): their events were refused, to be sent again. */
  failedCommits: number
  /** The byte cap in force: the configured maxBytes, or less on a small disk. */
  maxBytes: number
}

/** A full period that ended: what it cost. */
export interface FullSummary {
  error: string
  fullMs: number
  refused: number
  recoveries: number
}

export interface JournalEvents {
  committed: [rows: OutboxRow[], events: GatewayEvent[]]
  evicted: [report: EvictionReport]
  /** The journal became full (once per full period). */
  full: [err: Error]
  /** The journal commits again after a full period. */
  recovered: [summary: FullSummary]
}
