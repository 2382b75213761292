import type { Logger } from '../../base/log.js'

/** A failure not seen for this long starts a new run: it is news again. */
export const RUN_QUIET_MS = 60_000

/**
 * Repeating failures logged once, then counted: the first of a run at its level, the repeats at
 * debug with their count, and one summary line when the run ends (the reader is served again).
 * A run also ends by itself after `RUN_QUIET_MS` without that failure.
 */
export class RepeatLog {
  private readonly runs = new Map<string, { count: number; lastAt: number }>()

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  note(level: 'warn' | 'error', key: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.now()
    const run = this.runs.get(key)
    if (run && now - run.lastAt < RUN_QUIET_MS) {
      run.count++
      run.lastAt = now
      this.log.debug({ ...fields, repeats: run.count }, msg)
      return
    }
    this.runs.set(key, { count: 1, lastAt: now })
    this.log[level](fields, msg)
  }

  /** The failures stopped: say how many there were; the next one is news again. */
  end(fields: Record<string, unknown>): void {
    for (const [key, run] of this.runs) if (run.count > 1) this.log.info({ ...fields, failure: key, repeats: run.count }, 'repeated failure ended')
    this.runs.clear()
  }
}
