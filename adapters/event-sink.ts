import type { EventInput } from '../base/events/event.js'
import type { Logger } from '../base/log.js'
import type { AdapterContext } from './types.js'

/**
 * Commits an adapter's events where nothing waits on the outcome (state changes, supervision,
 * snapshots): counts what was committed and what was not, logs the first failure of a run as an
 * error and its repeats at debug (a full disk would otherwise log every poll), never rejects.
 * Where the device waits for the commit (Contact ID's ACK), the adapter calls `emit()` itself.
 */
export class EventSink {
  committed = 0
  failed = 0
  private failing = false

  constructor(
    private readonly commit: AdapterContext['emit'],
    private readonly log: Logger,
  ) {}

  /** true once the event is committed; false (counted, logged) when the journal refused it. */
  async emit(input: EventInput): Promise<boolean> {
    try {
      await this.commit(input)
      this.committed++
      this.failing = false
      return true
    } catch (err) {
      this.failed++
      const fields = { err, type: input.type, zone: input.zone, failed: this.failed }
      if (this.failing) this.log.debug(fields, 'event not committed')
      else this.log.error(fields, 'event not committed')
      this.failing = true
      return false
    }
  }
}
