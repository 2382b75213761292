import type { Logger } from '../log.js'
import { errorMessage } from '../errors.js'
import { OPEN_RW, closeDb, exec, openDb, type Db } from './sqlite.js'

const EVERY_MS = 1000

/**
 * Copies the WAL back into the database on its own connection, once a second. SQLite's automatic
 * checkpoint would run inside whichever commit crossed the threshold, adding its I/O to the
 * latency of the events in that commit; a PASSIVE checkpoint here never blocks the writer.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined
  private running = false

  private constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  static async start(path: string, log: Logger): Promise<Checkpointer> {
    const db = await openDb(path, OPEN_RW)
    await exec(db, 'PRAGMA busy_timeout = 5000')
    const c = new Checkpointer(db, log)
    c.timer = setInterval(() => void c.run(), EVERY_MS)
    c.timer.unref()
    return c
  }

  private async run(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      await exec(this.db, 'PRAGMA wal_checkpoint(PASSIVE)')
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'journal checkpoint failed; the next one retries')
    } finally {
      this.running = false
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    while (this.running) await new Promise((r) => setTimeout(r, 5))
    await closeDb(this.db)
  }
}
