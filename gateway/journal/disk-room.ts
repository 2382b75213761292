import type { Logger } from '../../base/log.js'
import { budgetFor, type DiskBudget } from './disk-budget.js'
import { SpareFile, fileBytes, freeBytes } from './spare.js'

const DEFAULT_WAL_MAX_BYTES = 4 * 1024 * 1024

export interface DiskRoomOptions {
  path: string
  spareBytes: number
  walMaxBytes?: number
  maxBytes: number
  log: Logger
}

/** The journal's share of its disk (disk-budget.ts) measured on the real file system, and its spare file. */
export class DiskRoom {
  budget: DiskBudget
  readonly spare: SpareFile

  constructor(private readonly opts: DiskRoomOptions) {
    this.spare = new SpareFile(`${opts.path}.spare`, opts.log)
    this.budget = this.measure()
    if (this.budget.maxBytes < opts.maxBytes || this.budget.spareBytes < opts.spareBytes) {
      opts.log.warn(
        { path: opts.path, configured: { maxBytes: opts.maxBytes, spareBytes: opts.spareBytes }, ...this.budget },
        "the journal's disk is smaller than its configured limits: the journal keeps to what fits",
      )
    }
  }

  /** The spare, WAL and byte cap that fit the disk now (the journal's own files count as room). */
  measure(): DiskBudget {
    const o = this.opts
    const configured = { spareBytes: o.spareBytes, walMaxBytes: o.walMaxBytes ?? DEFAULT_WAL_MAX_BYTES, maxBytes: o.maxBytes }
    if (o.path === ':memory:') return configured
    const own = [o.path, `${o.path}-wal`, this.spare.path].reduce((n, f) => n + fileBytes(f), 0)
    return budgetFor({ available: freeBytes(o.path) + own }, configured)
  }

  /** Measures again and takes the spare back once the disk has room for it; returns the new budget. */
  remeasure(): DiskBudget {
    if (this.opts.path === ':memory:') return this.budget
    try {
      this.budget = this.measure()
      // A spare taken back from a disk still nearly full would fill it again at once.
      if (freeBytes(this.opts.path) > 2 * (this.budget.spareBytes + this.budget.walMaxBytes)) this.spare.ensure(this.budget.spareBytes)
    } catch (err) {
      this.opts.log.debug({ err }, "cannot measure the journal's disk")
    }
    return this.budget
  }
}
