import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sqlite3 from 'sqlite3'
import { Journal, type JournalOptions } from '../../gateway/journal/journal.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import type { Priority } from '../../base/events/types.js'
import type { EvictionReport } from '../../gateway/journal/eviction.js'
import { captureLog } from '../helpers/logs.js'
import { JournalError, UnstorableEventError } from '../../base/errors.js'

const ids = new UuidV7Generator()
let dir: string
let journal: Journal | undefined

function opts(over: Partial<JournalOptions> = {}): JournalOptions {
  return {
    path: join(dir, 'journal.db'),
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
}

function ev(device: string, type = 'intrusion', priority?: Priority) {
  const input = priority === undefined ? { type } : { type, priority }
  return buildEvent({ site: 's', device, kind: 'alarm', location: {} }, input, ids.next(), Date.now())
}

function count(sql: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(join(dir, 'journal.db'), sqlite3.OPEN_READONLY)
    db.get(sql, (err, row: { n: number } | undefined) => {
      db.close()
      if (err) reject(err)
      else resolve(row?.n ?? 0)
    })
  })
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-'))
})
afterEach(async () => {
  await journal?.close()
  journal = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('journal', () => {
  it('group-commits concurrent appends: far fewer transactions than events, all durable', async () => {
    journal = await Journal.open(opts())
    const results = await Promise.all(Array.from({ length: 3000 }, (_, i) => journal!.append({ event: ev(`d${i % 7}`) })))
    expect(results.every((r) => !r.duplicate)).toBe(true)
    const s = journal.stats()
    expect(s.appended).toBe(3000)
    expect(s.commits).toBeLessThan(20)
    expect(s.pending['platform']).toBe(3000)
    await journal.close()
    journal = undefined
    expect(await count('SELECT COUNT(*) AS n FROM events')).toBe(3000)
  })

  it('numbers each device in order, and numbering survives a restart and eviction', async () => {
    journal = await Journal.open(opts())
    const a = await Promise.all([journal.append({ event: ev('a') }), journal.append({ event: ev('b') }), journal.append({ event: ev('a') })])
    expect(a.map((r) => r.event.seq)).toEqual([1, 1, 2])
    await journal.close()
    journal = await Journal.open(opts())
    expect((await journal.append({ event: ev('a') })).event.seq).toBe(3)
  })

  it('never hands out an outbox position twice, even after the outbox drained empty', async () => {
    journal = await Journal.open(opts())
    const first = await journal.outbox.page('platform', 0, 10)
    expect(first).toEqual([])
    await journal.append({ event: ev('a') })
    const rows = await journal.outbox.page('platform', 0, 10)
    journal.ack(
      'platform',
      rows.map((r) => r.pos),
    )
    await journal.close()
    // Drain the table completely, as eviction of delivered events would.
    await new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(join(dir, 'journal.db'))
      db.run('DELETE FROM events', (err) => db.close(() => (err ? reject(err) : resolve())))
    })
    journal = await Journal.open(opts())
    await journal.append({ event: ev('a') })
    const again = await journal.outbox.page('platform', 0, 10)
    expect(again[0]!.pos).toBeGreaterThan(rows[0]!.pos)
  })

  it('commits a repeated producer id once and reports the repeat', async () => {
    journal = await Journal.open(opts())
    const e = ev('a')
    const [x, y] = await Promise.all([journal.append({ event: e, checkId: true }), journal.append({ event: { ...e }, checkId: true })])
    expect([x.duplicate, y.duplicate]).toEqual([false, true])
    const z = await journal.append({ event: { ...e }, checkId: true })
    expect(z).toMatchObject({ id: e.id, duplicate: true })
    expect(journal.stats().appended).toBe(1)
  })

  it('commits a repeated frame (dedupe key) once inside its window and again after it', async () => {
    // Received `ms` after the first, on the wall clock and on the monotonic one (which the window uses).
    const at = (ms: number) => ({ event: { ...ev('rx'), receivedAt: new Date(1_800_000_000_000 + ms).toISOString() }, monoAt: ms })
    journal = await Journal.open(opts())
    const first = await journal.append({ ...at(0), dedupeKey: 'frame-1', dedupeWindowMs: 30_000 })
    const repeat = await journal.append({ ...at(10_000), dedupeKey: 'frame-1', dedupeWindowMs: 30_000 })
    expect(repeat).toMatchObject({ id: first.id, duplicate: true })
    const other = await journal.append({ ...at(11_000), dedupeKey: 'frame-2', dedupeWindowMs: 30_000 })
    expect(other.duplicate).toBe(false)
    const later = await journal.append({ ...at(70_000), dedupeKey: 'frame-1', dedupeWindowMs: 30_000 })
    expect(later.duplicate).toBe(false)
  })

  it('evicts delivered events first, then undelivered from the lowest priority, and reports it', async () => {
    journal = await Journal.open(opts({ maxRows: 100 }))
    const reports: EvictionReport[] = []
    journal.on('evicted', (r) => reports.push(r))
    // 40 delivered info events, then 30 info, 20 supervision, 10 alarms undelivered.
    for (let i = 0; i < 40; i++) await journal.append({ event: ev('info', 'test') })
    const delivered = await journal.outbox.page('platform', 0, 100)
    journal.ack(
      'platform',
      delivered.map((r) => r.pos),
    )
    await Promise.all(Array.from({ length: 30 }, () => journal!.append({ event: ev('info', 'test') })))
    await Promise.all(Array.from({ length: 20 }, () => journal!.append({ event: ev('sup', 'trouble') })))
    await Promise.all(Array.from({ length: 10 }, () => journal!.append({ event: ev('alarm', 'fire') })))
    expect(reports).toEqual([])
    // One more alarm passes the row limit: free down to 95 rows.
    const r = await journal.append({ event: ev('alarm', 'fire') })
    expect(r.duplicate).toBe(false)
    expect(reports.length).toBe(1)
    expect(reports[0]).toMatchObject({ reason: 'rows', delivered: 6, undelivered: 0 })
    // Fill beyond what delivered events can free: info events go, alarms stay.
    await Promise.all(Array.from({ length: 40 }, () => journal!.append({ event: ev('alarm', 'fire') })))
    const lost = reports.reduce((s, x) => s + x.undelivered, 0)
    expect(lost).toBeGreaterThan(0)
    expect(reports.flatMap((x) => Object.keys(x.undeliveredByPriority))).not.toContain('1')
    // The seqs missing at the platform are named: the 'info' device lost its oldest undelivered ones.
    const info = reports.flatMap((x) => x.undeliveredSeqs['info'] ?? [])
    expect(info.reduce((n, [from, to]) => n + to - from + 1, 0)).toBe(lost)
    expect(info[0]![0]).toBe(41)
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE priority = 1')).toBe(51)
    expect(await count('SELECT COUNT(*) AS n FROM events WHERE pending_uplinks = 0')).toBe(0)
    expect(journal.stats().rows).toBeLessThanOrEqual(100)
  })

  it('a full database neither crashes nor blocks a new alarm: it evicts and commits', async () => {
    journal = await Journal.open(opts({ maxPageCount: 60, spareBytes: 64 * 1024 }))
    const full: Error[] = []
    journal.on('full', (e) => full.push(e))
    expect(existsSync(join(dir, 'journal.db.spare'))).toBe(true)
    const big = 'x'.repeat(2000)
    let committed = 0
    for (let i = 0; i < 400; i++) {
      const e = ev('cam', 'test')
      e.raw = big
      await journal.append({ event: e }).then(
        () => committed++,
        () => undefined,
      )
    }
    expect(full.length).toBeGreaterThan(0)
    expect(existsSync(join(dir, 'journal.db.spare'))).toBe(false)
    const alarm = await journal.append({ event: ev('panel', 'fire') })
    expect(alarm.duplicate).toBe(false)
    expect(committed).toBeGreaterThan(100)
    expect(journal.stats().fullEvents).toBeGreaterThan(0)
  })

  it('sends old events away by age', async () => {
    let now = Date.now()
    journal = await Journal.open(opts({ maxAgeMs: 60_000, now: () => now }))
    const reports: EvictionReport[] = []
    journal.on('evicted', (r) => reports.push(r))
    const old = ev('a')
    old.receivedAt = new Date(now - 120_000).toISOString()
    await journal.append({ event: old })
    now += 1
    journal.requestAgeSweep()
    await journal.append({ event: ev('a') })
    expect(reports.some((r) => r.reason === 'age' && r.undelivered === 1)).toBe(true)
  })

  it("refuses an event that cannot be serialized alone; the other devices' events in its batch commit", async () => {
    const capture = captureLog()
    journal = await Journal.open(opts({ log: capture.log }))
    // JSON nested deeper than the stack: JSON.stringify throws RangeError inside the commit.
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 200_000; i++) deep = { a: deep }
    const bad = ev('producer-x', 'test')
    bad.attrs = deep
    const good = Array.from({ length: 20 }, (_, i) => ev(`d${i % 4}`))
    const results = await Promise.allSettled([
      ...good.slice(0, 10).map((event) => journal!.append({ event })),
      journal.append({ event: bad }),
      ...good.slice(10).map((event) => journal!.append({ event })),
    ])
    const refused = results.filter((r) => r.status === 'rejected')
    expect(refused).toHaveLength(1)
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(UnstorableEventError)
    expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(/producer-x.*cannot be stored/)
    expect(await journal.outbox.page('platform', 0, 100)).toHaveLength(20)
    expect(capture.find('event refused by the journal', { device: 'producer-x' })).toHaveLength(1)
    expect(journal.stats().unstorable).toBe(1)
  })

  it('a row SQLite refuses fails alone: the rest of its batch is committed', async () => {
    journal = await Journal.open(opts())
    const first = ev('a')
    await journal.append({ event: first })
    // The same id again without checkId: the UNIQUE constraint refuses that one row.
    const clash = { ...ev('b'), id: first.id }
    const others = Array.from({ length: 30 }, (_, i) => ev(`c${i % 3}`))
    const results = await Promise.allSettled([
      ...others.slice(0, 15).map((event) => journal!.append({ event })),
      journal.append({ event: clash }),
      ...others.slice(15).map((event) => journal!.append({ event })),
    ])
    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []))
    expect(refused).toEqual([15])
    expect(String((results[15] as PromiseRejectedResult).reason.message)).toMatch(/device "b".*UNIQUE/)
    expect(await count('SELECT COUNT(*) AS n FROM events')).toBe(31)
    // Each device's numbering has no gap from the refused row.
    const seqs = results
      .flatMap((r) => (r.status === 'fulfilled' ? [r.value.event] : []))
      .filter((e) => e.device === 'c0')
      .map((e) => e.seq)
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
  })

  it('a failure of the journal itself is never taken for a refusal of one event: every event is refused as retryable, and stored once it heals', async () => {
    const capture = captureLog()
    journal = await Journal.open(opts({ log: capture.log }))
    await journal.append({ event: ev('a') })
    // Another program breaks the schema under the running journal: every insert fails (SQLITE_ERROR),
    // whichever event it holds, as an I/O or fsync error would.
    const other = new sqlite3.Database(join(dir, 'journal.db'))
    const sql = (statement: string) => new Promise<void>((resolve, reject) => other.exec(statement, (err) => (err ? reject(err) : resolve())))
    await sql('ALTER TABLE pending RENAME TO pending_away')
    const batch = Array.from({ length: 12 }, (_, i) => ev(`d${i % 4}`))
    const results = await Promise.allSettled(batch.map((event) => journal!.append({ event })))
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined))
    expect(reasons.every((e) => e instanceof JournalError && !(e instanceof UnstorableEventError))).toBe(true)
    expect(String(reasons[0].message)).toMatch(/could not commit.*send again/)
    expect(journal.stats().unstorable).toBe(0)
    expect(journal.stats().failedCommits).toBeGreaterThan(0)
    expect(capture.find('journal commit failed; the events are refused and will be sent again')).toHaveLength(1)
    // Healed: the same events sent again are stored.
    await sql('ALTER TABLE pending_away RENAME TO pending')
    await new Promise<void>((resolve) => other.close(() => resolve()))
    const again = await Promise.all(batch.map((event) => journal!.append({ event })))
    expect(again.every((r) => !r.duplicate)).toBe(true)
    expect(await count('SELECT COUNT(*) AS n FROM events')).toBe(13)
  })
})
