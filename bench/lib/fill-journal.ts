import { Journal } from '../../gateway/journal/journal.js'
import { buildEvent, type DeviceIdentity } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { insertEvents, serializeUnsequenced, withSeq, type StagedEvent } from '../../gateway/journal/writes.js'
import { OPEN_RW, closeDb, exec, openDb } from '../../gateway/journal/sqlite.js'
import { createLogger } from '../../base/log.js'

/** What a compound's journal holds: the devices and the types each kind reports, rare ones included. */
const KINDS: ReadonlyArray<{ kind: DeviceIdentity['kind']; types: string[] }> = [
  { kind: 'alarm', types: ['intrusion', 'intrusion.restore', 'arm', 'disarm', 'trouble', 'test', 'fire', 'fire.restore'] },
  { kind: 'access', types: ['access.granted', 'access.granted', 'access.granted', 'access.denied', 'door.open', 'door.closed', 'door.forced'] },
  { kind: 'parking', types: ['device.online', 'trouble', 'trouble.restore', 'other'] },
  { kind: 'camera', types: ['device.online', 'device.offline', 'tamper', 'other'] },
]

export interface FilledJournal {
  rows: number
  devices: number
  /** received_at of the first and last event. */
  fromMs: number
  toMs: number
  rowsPerSec: number
}

/**
 * Fills a journal with `rows` delivered events of `devices` devices over the last `spanMs`, with
 * the journal's own multi-row insert in one transaction (no per-event commit): minutes instead of
 * hours for a million rows. The tables come from Journal.open, so they are the running schema.
 */
export async function fillJournal(path: string, rows: number, devices: number, spanMs: number): Promise<FilledJournal> {
  const j = await Journal.open({
    path,
    maxRows: rows * 2,
    maxBytes: 8 * 1024 ** 3,
    maxAgeMs: spanMs * 4,
    spareBytes: 0,
    batchMaxEvents: 100,
    uplinks: [],
    log: createLogger({ level: 'warn' }),
    now: Date.now,
  })
  await j.close()
  const db = await openDb(path, OPEN_RW)
  const t0 = performance.now()
  const ids = new UuidV7Generator()
  const toMs = Date.now() - 60_000
  const fromMs = toMs - spanMs
  const seq = new Map<string, number>()
  await exec(db, 'PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN')
  const CHUNK = 10_000
  for (let start = 0; start < rows; start += CHUNK) {
    const staged: StagedEvent[] = []
    for (let i = start; i < Math.min(rows, start + CHUNK); i++) {
      const d = i % devices
      const k = KINDS[d % KINDS.length]!
      const who: DeviceIdentity = { site: 'bench', device: `dev${d}`, kind: k.kind, location: { building: String(1 + (d % 12)) } }
      const type = k.types[(i * 7 + d) % k.types.length]!
      const at = fromMs + Math.floor((i / rows) * spanMs)
      const ev = buildEvent(who, { type, attrs: { n: i, card: String(100_000 + ((i * 31) % 900_000)) } }, ids.next(), at)
      const s = (seq.get(who.device) ?? 0) + 1
      seq.set(who.device, s)
      const body = withSeq(serializeUnsequenced(ev), s)
      staged.push({ pos: i + 1, event: { ...ev, seq: s }, body, bytes: Buffer.byteLength(body), dedupeKey: undefined })
    }
    await insertEvents(db, staged, 0, toMs)
  }
  await exec(db, 'COMMIT; PRAGMA wal_checkpoint(TRUNCATE)')
  await closeDb(db)
  return { rows, devices, fromMs, toMs, rowsPerSec: Math.round((rows * 1000) / (performance.now() - t0)) }
}
