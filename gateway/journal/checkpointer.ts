import type { Logger } from '../../base/log.js'
import { OPEN_RW, closeDb, exec, openDb, type Db } from './sqlite.js'
import { fileBytes } from './spare.js'

const EVERY_MS = 1000

/**
 * Copies the WAL back into the database on its own connection: once a second, and as soon as a
 * commit leaves the WAL past `walMaxBytes`. SQLite's automatic checkpoint would run inside whichever
 * commit crossed the threshold, adding its I/O to the latency of the events in that commit; a
 * PASSIVE checkpoint here never blocks the writer. Checkpointing by size bounds the WAL: once a
 * second at 300 single-event commits/s let it reach 12 MB, enough to fill a small disk.
 * The writer's `journal_size_limit` then truncates the file when it wraps.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private failures = 0
  private readonly walPath: string

  private constructor(
    private readonly db: Db,
    path: string,
    private readonly walMaxBytes: number,
    private readonly log: Logger,
  ) {
    this.walPath = `${path}-wal`
  }

  static async start(path: string, walMaxBytes: number, log: Logger): Promise<Checkpointer> {
    const db = await openDb(path, OPEN_RW)
    await exec(db, 'PRAGMA busy_timeout = 5000')
    // A checkpoint copies WAL frames through its own buffer, not the page cache, and this connection
    // reads nothing else: 64 KiB instead of SQLite's default 2 MB [sqlite.org/pragma.html#pragma_cache_size].
    await exec(db, 'PRAGMA cache_size = -64')
    const c = new Checkpointer(db, path, walMaxBytes, log)
    c.timer = setInterval(() => void c.run(), EVERY_MS)
    c.timer.unref()
    return c
  }

  /** After each commit: checkpoint now if the WAL has passed its bound. */
  committed(): void {
    if (!this.running && fileBytes(this.walPath) > this.walMaxBytes) void this.run()
  }

  /**
   * Before each commit: a WAL past twice its bound waits for a checkpoint. On a busy machine the
   * checkpoint's connection can fall behind the writer; without this wait the WAL grows with the
   * backlog of commits instead of staying near its bound, and a small disk fills.
   */
  async bound(): Promise<void> {
    if (fileBytes(this.walPath) > 2 * this.walMaxBytes) await this.run()
  }

  private run(): Promise<void> {
    this.running ??= this.checkpoint().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async checkpoint(): Promise<void> {
    try {
      await exec(this.db, 'PRAGMA wal_checkpoint(PASSIVE)')
      if (this.failures > 0) this.log.info({ failures: this.failures }, 'journal checkpoints succeed again')
      this.failures = 0
    } catch (err) {
      // A full disk fails every checkpoint until the journal recovers: log once, then count.
      if (this.failures++ === 0) this.log.warn({ err }, 'journal checkpoint failed; the next one retries')
      else this.log.debug({ err, failures: this.failures }, 'journal checkpoint failed again')
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.running
    await closeDb(this.db)
  }
}
