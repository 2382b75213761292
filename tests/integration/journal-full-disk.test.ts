import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Journal, type FullSummary, type JournalOptions } from '../../gateway/journal/journal.js'
import type { EvictionReport } from '../../gateway/journal/eviction.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { captureLog, type CapturedLog } from '../helpers/logs.js'
import { mountSmallFs, smallFsUnavailable, type SmallFs } from '../helpers/small-fs.js'

// The journal on a real 4 MiB file system: the database's own max_page_count never fills the WAL,
// and a WAL that fills the disk was the failure seen on gateway boxes.
const DISK_BYTES = 4 * 1024 * 1024
const unavailable = smallFsUnavailable()
const ids = new UuidV7Generator()
const BODY = 'x'.repeat(300)

let fs: SmallFs
let journal: Journal | undefined
let logs: CapturedLog

function opts(over: Partial<JournalOptions> = {}): JournalOptions {
  logs = captureLog('info')
  return {
    path: join(fs.dir, 'journal.db'),
    maxRows: 2_000_000,
    maxBytes: 1024 ** 3,
    maxAgeMs: 30 * 86_400_000,
    spareBytes: 16 * 1024 * 1024,
    batchMaxEvents: 2000,
    uplinks: ['platform'],
    log: logs.log,
    now: Date.now,
    ...over,
  }
}

function ev(device: string, type: 'test' | 'fire') {
  return buildEvent({ site: 's', device, kind: 'alarm', location: {} }, { type, attrs: { body: BODY } }, ids.next(), Date.now())
}

/** Bounded, so that a journal that never tries again fails the test instead of hanging it. */
async function waitUntil(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function walBytes(): number {
  const wal = join(fs.dir, 'journal.db-wal')
  return existsSync(wal) ? statSync(wal).size : 0
}

/** Information events one at a time (one commit each, the most WAL per event) until `done()`. */
async function appendUntil(done: () => boolean, max: number): Promise<{ committed: number; refused: number }> {
  let committed = 0
  let refused = 0
  for (let i = 0; i < max && !done(); i++) {
    await journal!.append({ event: ev(`info${i % 5}`, i % 16 === 0 ? 'fire' : 'test') }).then(
      () => committed++,
      () => refused++,
    )
  }
  return { committed, refused }
}

describe.skipIf(unavailable !== undefined)(`journal on a full disk (4 MiB tmpfs)${unavailable ? ` — skipped: ${unavailable}` : ''}`, () => {
  beforeAll(() => {
    fs = mountSmallFs(DISK_BYTES)
  })
  afterEach(async () => {
    await journal?.close()
    journal = undefined
    fs.clear()
  })
  afterAll(() => fs?.unmount())

  it('keeps the WAL bounded and sizes the spare to the disk: one commit per event never fills it', async () => {
    journal = await Journal.open(opts())
    const full: Error[] = []
    journal.on('full', (e) => full.push(e))
    let walMax = 0
    let committed = 0
    for (let i = 0; i < 3000; i++) {
      await journal.append({ event: ev(`info${i % 5}`, i % 16 === 0 ? 'fire' : 'test') })
      committed++
      walMax = Math.max(walMax, walBytes())
    }
    expect(committed).toBe(3000)
    expect(full).toEqual([])
    // The default 16 MiB spare cannot exist on a 4 MiB disk: it is sized to the disk instead.
    const spare = statSync(join(fs.dir, 'journal.db.spare')).size
    expect(spare).toBeGreaterThan(0)
    expect(spare).toBeLessThanOrEqual(DISK_BYTES / 8)
    // Checkpointed by size: the WAL stays near its bound (5 % of the disk), far from filling it.
    expect(walMax).toBeLessThan(DISK_BYTES / 4)
    // The byte cap fitted to the disk evicted information, never an alarm.
    const s = journal.stats()
    expect(s.maxBytes).toBeLessThan(DISK_BYTES / 4)
    expect(s.evictedUndelivered).toBeGreaterThan(0)
    expect(await journal.outbox.urgent('platform', 0, 1, 10_000)).toHaveLength(Math.ceil(3000 / 16))
  })

  it('recovers when another program fills the disk: spare released, evicts, commits new alarms, reports once', async () => {
    journal = await Journal.open(opts())
    const full: Error[] = []
    const recovered: FullSummary[] = []
    const evicted: EvictionReport[] = []
    journal.on('full', (e) => full.push(e))
    journal.on('recovered', (s) => recovered.push(s))
    journal.on('evicted', (r) => evicted.push(r))
    await appendUntil(() => false, 200)
    fs.fill()
    const r = await appendUntil(() => recovered.length > 0, 20_000)
    expect(full).toHaveLength(1)
    expect(recovered).toHaveLength(1)
    expect(existsSync(join(fs.dir, 'journal.db.spare'))).toBe(false)
    expect(evicted.some((x) => x.reason === 'disk-full')).toBe(true)
    expect(evicted.every((x) => x.undeliveredByPriority['1'] === undefined)).toBe(true)
    expect(r.committed).toBeGreaterThan(0)
    // After the recovery a new alarm is committed.
    const alarm = await journal.append({ event: ev('panel', 'fire') })
    expect(alarm.duplicate).toBe(false)
    expect(logs.find('journal full')).toHaveLength(1)
  })

  it('while it stays full: refuses without spinning or flooding the log, applies each acknowledgement once, recovers when space frees', async () => {
    journal = await Journal.open(opts({ spareBytes: 0 }))
    await appendUntil(() => false, 100)
    const acked = (await journal.outbox.page('platform', 0, 50)).map((row) => row.pos)
    fs.fill()
    await appendUntil(() => journal!.stats().full, 20_000)
    expect(journal.stats().full).toBe(true)
    const s0 = journal.stats()
    const before = logs.lines.length
    // Producers keep sending, the uplink keeps acknowledging the same events, and the other
    // program keeps the disk full (it takes back whatever a recovery frees).
    let refused = 0
    for (let i = 0; i < 1000; i++) {
      if (i % 20 === 0) fs.fill()
      journal.ack('platform', acked)
      await journal.append({ event: ev('info', 'test') }).catch(() => refused++)
    }
    expect(refused).toBeGreaterThan(500)
    // Before: every refused batch logged twice and raised journal.full again (1,400-4,000 lines a
    // second). Now each full period is logged when it starts and when it ends; repeats are counted.
    const loud = logs.lines.slice(before).filter((l) => Number(l['level']) >= 40)
    const recoveries = journal.stats().fullEvents - s0.fullEvents
    expect(loud.length).toBeLessThanOrEqual(4 * (recoveries + 1))
    expect(loud.length).toBeLessThan(refused / 4)
    // Space comes back: the next alarm commits with the acknowledgements, each applied once.
    fs.unfill()
    const alarm = await journal.append({ event: ev('panel', 'fire') })
    expect(alarm.duplicate).toBe(false)
    const s1 = journal.stats()
    expect(s1.full).toBe(false)
    const stillPending = await journal.outbox.page('platform', 0, 100_000)
    expect(stillPending.filter((row) => acked.includes(row.pos))).toEqual([])
    expect(s1.pending['platform']).toBe(stillPending.length)
  })

  it('with nothing left to commit: ends the full period on its own once space frees', async () => {
    journal = await Journal.open(opts({ spareBytes: 0 }))
    const recovered: FullSummary[] = []
    journal.on('recovered', (s) => recovered.push(s))
    await appendUntil(() => false, 100)
    fs.fill()
    await appendUntil(() => journal!.stats().full, 20_000)
    // The other program lets go; nothing is appended or acknowledged, yet the journal finds out:
    // a full journal tries again on its own, and each try writes (a commit with nothing to write
    // would succeed on a full disk too).
    // (An earlier full period may have ended already: its recovery made room that filled again.)
    const ended = recovered.length
    fs.unfill()
    await waitUntil(() => recovered.length > ended, 'the full period to end with nothing queued')
    expect(journal.stats().full).toBe(false)
    expect(logs.find('journal full: events are refused')).toHaveLength(recovered.length)
  })

  it('a stop while the disk stays full finishes within its bound', async () => {
    journal = await Journal.open(opts({ spareBytes: 0, closeTimeoutMs: 1000 }))
    await appendUntil(() => false, 100)
    fs.fill()
    await appendUntil(() => journal!.stats().full, 20_000)
    const positions = (await journal.outbox.page('platform', 0, 100)).map((row) => row.pos)
    // The loop that kept the old close() waiting: a producer and an uplink feeding the flush.
    let feeding = true
    const feed = (async () => {
      while (feeding) {
        journal!.ack('platform', positions)
        await journal!.append({ event: ev('info', 'test') }).catch(() => undefined)
        await new Promise((r) => setImmediate(r)) // a refused append must not starve the timers
      }
    })()
    await journal.close()
    feeding = false
    await feed
    journal = undefined
  })
})
