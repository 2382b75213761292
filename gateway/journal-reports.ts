import { JournalFullError } from '../base/errors.js'
import type { EventInput } from '../base/events/event.js'
import type { Logger } from '../base/log.js'

/** Reports held for a full journal, at most; beyond it the oldest is dropped (and counted). */
export const MAX_HELD_REPORTS = 64

/**
 * The journal's own reports (evictions, full periods) as gateway events. A report the journal
 * refuses because it is full again is held and recorded once the journal commits again, ahead of
 * that period's `journal.full`: the platform learns of every eviction of undelivered events.
 * Held in memory only: after a restart the log still has them.
 */
export class JournalReports {
  private held: EventInput[] = []
  private dropped = 0

  constructor(
    /** Records a gateway event; rejects with what the journal threw. */
    private readonly record: (input: EventInput) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  get heldCount(): number {
    return this.held.length
  }

  report(input: EventInput): void {
    this.record(input).catch((err: unknown) => this.failed(input, err))
  }

  /** The journal commits again: what was held goes first, in order, then this period's report. */
  recovered(input: EventInput): void {
    const held = this.held
    this.held = []
    for (const h of held) this.report(h)
    this.report(input)
  }

  private failed(input: EventInput, err: unknown): void {
    if (!(err instanceof JournalFullError)) {
      this.log.error({ err, type: input.type }, 'cannot record a gateway event')
      return
    }
    if (this.held.length >= MAX_HELD_REPORTS) {
      this.held.shift()
      this.dropped++
    }
    this.held.push(input)
    this.log.warn({ type: input.type, held: this.held.length, dropped: this.dropped }, 'journal report held until the journal commits again')
  }
}
