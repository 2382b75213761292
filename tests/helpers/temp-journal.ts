import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { Journal, type JournalOptions } from '../../gateway/journal/journal.js'
import { captureLog } from './logs.js'

/**
 * A journal in a fresh temp dir per test, closed and removed after it: `t.open(over)` opens it
 * with small test defaults, `t.dir` is the directory.
 */
export function tempJournal(prefix: string) {
  const t = {
    dir: '',
    journal: undefined as Journal | undefined,
    options(over: Partial<JournalOptions> = {}): JournalOptions {
      return {
        path: join(t.dir, 'journal.db'),
        maxRows: 100_000,
        maxBytes: 512 * 1024 * 1024,
        maxAgeMs: 86_400_000,
        spareBytes: 0,
        batchMaxEvents: 2000,
        uplinks: ['platform'],
        log: captureLog().log,
        now: Date.now,
        ...over,
      }
    },
    async open(over: Partial<JournalOptions> = {}): Promise<Journal> {
      t.journal = await Journal.open(t.options(over))
      return t.journal
    },
  }
  beforeEach(() => {
    t.dir = mkdtempSync(join(tmpdir(), prefix))
  })
  afterEach(async () => {
    await t.journal?.close()
    t.journal = undefined
    rmSync(t.dir, { recursive: true, force: true })
  })
  return t
}
