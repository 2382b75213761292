import { OPEN_RW, all, closeDb, exec, openDb, run, type Db } from '../journal/sqlite.js'
import { CommandResultSchema, type CommandResult } from '../../base/events/command.js'

/**
 * The first result of every command, by device and command id, kept in the journal's database file
 * on a connection of its own (the file is in WAL mode, so it does not block the journal's commits).
 * A row is written before the command runs (result NULL) and completed when it ends: a row still
 * NULL after a restart is a command the gateway was carrying out when it stopped.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS command_results (
  device TEXT NOT NULL,
  id TEXT NOT NULL,
  keep_until INTEGER NOT NULL,
  result TEXT,
  PRIMARY KEY (device, id)
);
CREATE INDEX IF NOT EXISTS command_results_keep ON command_results(keep_until);
`
/** synchronous=FULL as the journal: a result must survive a power cut, or the device may act twice. */
const PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;'

/** A command without expiresAt is remembered this long. */
export const DEFAULT_RETENTION_MS = 24 * 3_600_000
/** At most this many commands are remembered; the ones that expire first go first. */
export const DEFAULT_MAX_ROWS = 100_000
/** Expired rows are deleted at most this often (on the next claim). */
const PRUNE_EVERY_MS = 60_000

export type Claim =
  | { state: 'new' }
  | { state: 'done'; result: CommandResult }
  /** Claimed before a stop and never finished: the device may or may not have acted. */
  | { state: 'interrupted' }

export interface CommandResultStoreOptions {
  path: string
  now(): number
  retentionMs?: number
  maxRows?: number
}

export class CommandResultStore {
  private lastPrune = Number.NEGATIVE_INFINITY

  private constructor(
    private readonly db: Db,
    private readonly opts: Required<CommandResultStoreOptions>,
  ) {}

  static async open(opts: CommandResultStoreOptions): Promise<CommandResultStore> {
    const db = await openDb(opts.path, OPEN_RW)
    try {
      await exec(db, PRAGMAS)
      await exec(db, DDL)
    } catch (err) {
      await closeDb(db).catch(() => undefined)
      throw err
    }
    return new CommandResultStore(db, { retentionMs: DEFAULT_RETENTION_MS, maxRows: DEFAULT_MAX_ROWS, ...opts })
  }

  /** How long a command's result is kept: until it expires, or the default retention without expiresAt. */
  keepUntil(expiresAt: string | undefined): number {
    const at = expiresAt === undefined ? Number.NaN : Date.parse(expiresAt)
    return Number.isFinite(at) ? at : this.opts.now() + this.opts.retentionMs
  }

  /** Records that the command is starting, unless it was seen before: then what became of it. */
  async claim(device: string, id: string, keepUntil: number): Promise<Claim> {
    await this.pruneNow()
    const ins = await run(this.db, 'INSERT OR IGNORE INTO command_results (device, id, keep_until, result) VALUES (?, ?, ?, NULL)', [device, id, keepUntil])
    if (ins.changes === 1) return { state: 'new' }
    const [row] = await all<{ result: string | null }>(this.db, 'SELECT result FROM command_results WHERE device = ? AND id = ?', [device, id])
    if (!row || row.result === null) return { state: 'interrupted' }
    return { state: 'done', result: CommandResultSchema.parse(JSON.parse(row.result)) }
  }

  /** The command's first result, kept for its repeats. */
  async finish(result: CommandResult): Promise<void> {
    await run(this.db, 'UPDATE command_results SET result = ? WHERE device = ? AND id = ?', [JSON.stringify(result), result.device, result.id])
  }

  /** Deletes expired rows, then the soonest-expiring ones beyond maxRows. */
  async prune(): Promise<void> {
    await run(this.db, 'DELETE FROM command_results WHERE keep_until < ?', [this.opts.now()])
    await run(this.db, 'DELETE FROM command_results WHERE rowid IN (SELECT rowid FROM command_results ORDER BY keep_until DESC LIMIT -1 OFFSET ?)', [
      this.opts.maxRows,
    ])
  }

  async count(): Promise<number> {
    const [row] = await all<{ n: number }>(this.db, 'SELECT count(*) AS n FROM command_results')
    return row?.n ?? 0
  }

  close(): Promise<void> {
    return closeDb(this.db)
  }

  private async pruneNow(): Promise<void> {
    const now = this.opts.now()
    if (now - this.lastPrune < PRUNE_EVERY_MS) return
    this.lastPrune = now
    await this.prune()
  }
}
