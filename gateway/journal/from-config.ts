import type { GatewayConfig } from '../../config/schema.js'
import type { Logger } from '../../base/log.js'
import { Journal } from './journal.js'
import type { Faults } from '../../base/faults.js'

/** Opens the journal the config describes, with a row for each configured uplink. */
export function openJournal(config: GatewayConfig, now: () => number, log: Logger, faults?: Faults): Promise<Journal> {
  return Journal.open({
    path: config.journal.path,
    maxRows: config.journal.maxRows,
    maxBytes: config.journal.maxBytes,
    maxAgeMs: config.journal.maxAgeDays * 86_400_000,
    spareBytes: config.journal.spareBytes,
    batchMaxEvents: config.journal.batchMaxEvents,
    uplinks: config.uplinks.map((u) => u.id),
    log: log.child({ component: 'journal' }),
    now,
    ...(faults ? { faults } : {}),
  })
}
