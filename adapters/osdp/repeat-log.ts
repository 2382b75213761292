import type { Logger } from '../../gateway/log.js'

/**
 * Repeating failures logged once, then counted: the first of a kind at its level, the repeats at
 * debug with their count, and one summary line when the run ends (the reader is served again).
 */
export class RepeatLog {
  private readonly runs = new Map<string, number>()

  constructor(private readonly log: Logger) {}

  note(level: 'warn' | 'error', key: string, fields: Record<string, unknown>, msg: string): void {
    const n = (this.runs.get(key) ?? 0) + 1
    this.runs.set(key, n)
    if (n === 1) this.log[level](fields, msg)
    else this.log.debug({ ...fields, repeats: n }, msg)
  }

  /** The failures stopped: say how many there were; the next one is news again. */
  end(fields: Record<string, unknown>): void {
    for (const [key, n] of this.runs) if (n > 1) this.log.info({ ...fields, failure: key, repeats: n }, 'repeated failure ended')
    this.runs.clear()
  }
}
