import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Journal, type JournalOptions } from '../../gateway/journal/journal.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import type { Priority } from '../../base/events/types.js'
import { captureLog } from '../helpers/logs.js'
import { outboxContract } from '../unit/contracts/outbox-contract.js'

const ids = new UuidV7Generator()

/** The journal on a real SQLite file in a temp dir; a restart closes it and opens the file again. */
outboxContract('SQLite journal', async (uplinks, now) => {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-outbox-contract-'))
  const opts: JournalOptions = {
    path: join(dir, 'journal.db'),
    maxRows: 100_000,
    maxBytes: 512 * 1024 * 1024,
    maxAgeMs: 86_400_000 * 365 * 100,
    spareBytes: 0,
    batchMaxEvents: 2000,
    uplinks: [...uplinks],
    log: captureLog().log,
    now,
  }
  let journal = await Journal.open(opts)
  return {
    get outbox() {
      return journal
    },
    async commit(events) {
      const out: string[] = []
      for (const e of events) {
        const input = { type: 'intrusion', priority: (e.priority ?? 5) as Priority }
        out.push((await journal.append({ event: buildEvent({ site: 's', device: e.device, kind: 'alarm', location: {} }, input, ids.next(), now()) })).id)
      }
      return out
    },
    async restart() {
      await journal.close()
      journal = await Journal.open(opts)
    },
    async close() {
      await journal.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
