import { JournalError, JournalFullError, UnstorableEventError, errorMessage } from '../../base/errors.js'
import type { Logger } from '../../base/log.js'
import { NO_WORK, type AckQueue, type AckWork } from './ack-queue.js'
import { ACK_DELAY_MS } from './group-commit.js'
import type { FullEpisode } from './full-episode.js'
import { commitApart } from './isolate.js'
import { isEventError, isFullError } from './sqlite.js'
import type { AppendInput, JournalStats, QueuedAppend } from './types.js'

/** A full disk is recovered from at most this many times per batch. */
const FULL_RETRIES = 2
/** Acknowledgements whose commit failed for another reason than a full disk wait this long. */
const FAILED_RETRY_MS = 1000

export interface BatchCommitDeps {
  log: Logger
  stat: JournalStats
  episode: FullEpisode
  acks: AckQueue
  /** One transaction; throws what SQLite threw, with nothing applied. */
  commit(batch: QueuedAppend[], work: AckWork, sweep: boolean): Promise<void>
  /** Makes room on a full disk; true when room was made. */
  recoverFromFull(): Promise<boolean>
  /** The journal became full (once per full period). */
  onFull(err: Error): void
  /**
   * A commit failed for a full disk: another is wanted after the retry delay even if nothing new
   * arrives, so a full period ends (and is reported) once there is room, not at the next event.
   */
  retryWhileFull(): void
  /** Events the journal refused as retryable (not acknowledged; they will be sent again). */
  onRefused(part: readonly QueuedAppend[], err: Error): void
}

export type BatchOutcome = { ok: true } | { ok: false; retryAfterMs: number }

/**
 * What becomes of a batch whose commit fails: a full disk is recovered from and the batch tried
 * again; a row SQLite refuses for what it holds is found by committing the batch apart and refused
 * alone; any other failure refuses the whole batch as retryable (no acknowledgement).
 */
export class BatchCommitter {
  private readonly unstorableWarned = new Set<string>()
  /** False from a commit that failed for the journal's own reason until one succeeds: its failures are logged once. */
  private lastCommitOk = true
  /** Whether the last attempt to record acknowledgements failed: its repeats are logged at debug. */
  private acksFailing = false

  constructor(private readonly d: BatchCommitDeps) {}

  async commitBatch(batch: QueuedAppend[], work: AckWork, sweep: boolean): Promise<BatchOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.d.commit(batch, work, sweep)
        this.lastCommitOk = true
        return { ok: true }
      } catch (err) {
        if (isEventError(err)) return this.isolateAndCommit(batch, work, sweep, err)
        if (!isFullError(err)) return this.failBatch(batch, work, err)
        if (this.d.episode.enter(err as Error)) this.d.onFull(err as Error)
        this.d.retryWhileFull()
        if (attempt < FULL_RETRIES && this.d.episode.mayRecover(batch.some((q) => q.input.event.priority <= 2)) && (await this.d.recoverFromFull())) continue
        this.d.episode.refuse(batch.length, err as Error)
        this.refuse(batch, err)
        this.d.acks.restore(work)
        return this.retryLater()
      }
    }
  }

  /** Refuses one event that the journal cannot store, naming its device; warned once per device. */
  unstorable(input: AppendInput, err: unknown): UnstorableEventError {
    const { device, id } = input.event
    this.d.stat.unstorable++
    const e = new UnstorableEventError(
      `event ${id} from device "${device}" cannot be stored (${errorMessage(err)}); it was refused alone, fix what the device or producer sends`,
      { cause: err },
    )
    if (this.unstorableWarned.has(device)) this.d.log.debug({ device, err: e }, 'event refused by the journal')
    else this.d.log.warn({ device, err: e }, 'event refused by the journal')
    this.unstorableWarned.add(device)
    return e
  }

  private retryLater(): BatchOutcome {
    const ep = this.d.episode
    return { ok: false, retryAfterMs: ep.active ? Math.max(ACK_DELAY_MS, ep.msUntilRecovery()) : FAILED_RETRY_MS }
  }

  /**
   * The journal itself failed (I/O, fsync, busy, corrupt): nothing of the batch is durable. Every
   * event is refused as retryable (no acknowledgement; the device or producer sends it again) and the
   * acknowledgements wait for the next commit. Logged once per failing spell, then counted.
   */
  private failBatch(batch: QueuedAppend[], work: AckWork, err: unknown): BatchOutcome {
    this.d.stat.failedCommits++
    if (this.lastCommitOk) this.d.log.error({ err, events: batch.length }, 'journal commit failed; the events are refused and will be sent again')
    else this.d.log.debug({ err, events: batch.length, failedCommits: this.d.stat.failedCommits }, 'journal commit failed again')
    this.lastCommitOk = false
    this.refuse(batch, err)
    this.d.acks.restore(work)
    return this.retryLater()
  }

  /** SQLite refused a row for what it holds: commit the events apart, refuse only what fails alone. */
  private async isolateAndCommit(batch: QueuedAppend[], work: AckWork, sweep: boolean, err: unknown): Promise<BatchOutcome> {
    if (batch.length === 1) this.refuse(batch, err)
    else if (batch.length > 1) {
      this.d.log.warn({ err, events: batch.length }, "journal commit failed; committing the batch's events apart to find the one refused")
      await commitApart(
        batch,
        (part) => this.d.commit(part, NO_WORK, false),
        (part, e) => this.refuse(part, e),
        isEventError,
      )
    }
    if (work.acks.size === 0 && work.parks.length === 0 && work.attempts.length === 0 && !sweep) return { ok: true }
    try {
      await this.d.commit([], work, sweep)
      this.acksFailing = false
      return { ok: true }
    } catch (e) {
      // Once per run of failures: a full disk fails every retry, and the full episode reports the rest.
      if (this.acksFailing) this.d.log.debug({ err: e }, 'journal could not record acknowledgements; retrying shortly')
      else this.d.log.error({ err: e }, 'journal could not record acknowledgements; retrying shortly')
      this.acksFailing = true
      this.d.acks.restore(work)
      return this.retryLater()
    }
  }

  private refuse(part: QueuedAppend[], err: unknown): void {
    if (part.length === 0) return
    if (isEventError(err)) {
      for (const q of part) q.reject(this.unstorable(q.input, err))
      return
    }
    let e: Error
    if (isFullError(err)) {
      e = new JournalFullError(`the journal cannot store events: its disk or database is full (${errorMessage(err)}); free space on the journal's disk`, {
        cause: err,
      })
      this.d.stat.refusedFull += part.length
    } else {
      e = new JournalError(`the journal could not commit (${errorMessage(err)}); nothing was stored, send again`, { cause: err })
    }
    for (const q of part) q.reject(e)
    this.d.onRefused(part, e)
  }
}
