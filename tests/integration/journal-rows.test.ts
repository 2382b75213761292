import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { join } from 'node:path'
import { all, closeDb, exec, openDb, OPEN_RO, OPEN_RW } from '../../gateway/journal/sqlite.js'
import { buildEvent } from '../../base/events/event.js'
import type { Priority } from '../../base/events/types.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { tempJournal } from '../helpers/temp-journal.js'

const ids = new UuidV7Generator()
/** A scope no other append used: every keyed append of the property is a new event. */
let scopes = 0
const t = tempJournal('pingan-journal-rows-')

function event(device: string, attrs: Record<string, unknown>, priority: Priority = 3) {
  return buildEvent({ site: 's1', device, kind: 'alarm', location: {} }, { type: 'test', priority, attrs }, ids.next(), Date.now())
}

async function rows<T>(sql: string, params: Array<string | number> = []): Promise<T[]> {
  const db = await openDb(join(t.dir, 'journal.db'), OPEN_RO)
  try {
    return await all<T>(db, sql, params)
  } finally {
    await closeDb(db)
  }
}

describe('journal rows: what one INSERT and its trigger write', () => {
  it('stores every string exactly as committed: bodies with any text, dedupe keys with quotes and NUL', async () => {
    const journal = await t.open()
    const committed = new Map<number, string>()
    journal.on('committed', (r) => {
      for (const row of r) committed.set(row.pos, row.body)
    })
    const text = fc.string({ unit: 'binary', maxLength: 40 })
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ note: text, key: fc.option(text, { nil: undefined }) }), { minLength: 1, maxLength: 30 }), async (batch) => {
        const results = await Promise.all(
          batch.map((b, i) =>
            journal.append({
              event: event(`dev${i % 3}`, { note: b.note, list: [b.note, 1.5, null] }),
              dedupeKey: b.key,
              dedupeScope: b.key === undefined ? undefined : `s${scopes++}`,
            }),
          ),
        )
        for (const r of results) expect(r.duplicate).toBe(false)
      }),
      { numRuns: 40, seed: 7 },
    )
    const stored = await rows<{ pos: number; body: string; seq: number; dedupe_key: string | null; bodyHex: string }>(
      'SELECT pos, body, seq, dedupe_key, hex(body) AS bodyHex FROM events ORDER BY pos',
    )
    expect(stored.length).toBe(committed.size)
    for (const r of stored) {
      expect(r.body).toBe(committed.get(r.pos))
      expect(r.bodyHex).toBe(Buffer.from(committed.get(r.pos)!, 'utf8').toString('hex').toUpperCase())
      expect((JSON.parse(r.body) as { seq: number }).seq).toBe(r.seq)
    }
  })

  it('stores a dedupe key with a lone surrogate as binding would (U+FFFD), and finds its retransmission', async () => {
    const journal = await t.open()
    const key = 'cid:\ud800 broken'
    const other = await journal.append({ event: event('other', { n: 1 }) })
    // In one batch with another device's event: neither fails the other.
    const [first, second] = await Promise.all([
      journal.append({ event: event('rx', { line: 1 }), dedupeKey: key, dedupeScope: 'line-1' }),
      journal.append({ event: event('other', { n: 2 }) }),
    ])
    expect(first!.duplicate).toBe(false)
    expect(second!.duplicate).toBe(false)
    expect(other.duplicate).toBe(false)
    const again = await journal.append({ event: event('rx', { line: 1 }), dedupeKey: key, dedupeScope: 'line-1' })
    expect(again).toMatchObject({ duplicate: true, id: first!.id })
    const [r] = await rows<{ h: string }>('SELECT hex(dedupe_key) AS h FROM events WHERE dedupe_key IS NOT NULL')
    expect(r!.h).toBe(Buffer.from('rx\u0000line-1\u0000cid:\ufffd broken', 'utf8').toString('hex').toUpperCase())
  })

  it('keys a dedupe column with NUL separators byte for byte, so a retransmission is still found', async () => {
    const journal = await t.open()
    const key = `it's "a" key\u0000with NUL`
    const first = await journal.append({ event: event('rx', { line: 1 }), dedupeKey: key, dedupeScope: 'line-1' })
    const again = await journal.append({ event: event('rx', { line: 1 }), dedupeKey: key, dedupeScope: 'line-1' })
    expect(again).toMatchObject({ duplicate: true, id: first.id })
    const [r] = await rows<{ h: string }>('SELECT hex(dedupe_key) AS h FROM events')
    expect(r!.h).toBe(Buffer.from(`rx\u0000line-1\u0000${key}`, 'utf8').toString('hex').toUpperCase())
  })

  it("adds each event's outbox row for every uplink and its device's last seq; an acknowledgement counts the row off its event", async () => {
    const journal = await t.open({ uplinks: ['platform', 'centre'] })
    const appended = await Promise.all([
      journal.append({ event: event('a', {}, 1) }),
      journal.append({ event: event('b', {}, 4) }),
      journal.append({ event: event('a', {}, 2) }),
    ])
    const pending = await rows<{ uplink: string; pos: number; device: string; priority: number }>(
      'SELECT uplink, pos, device, priority FROM pending ORDER BY uplink, pos',
    )
    expect(pending).toEqual([
      { uplink: 'centre', pos: 1, device: 'a', priority: 1 },
      { uplink: 'centre', pos: 2, device: 'b', priority: 4 },
      { uplink: 'centre', pos: 3, device: 'a', priority: 2 },
      { uplink: 'platform', pos: 1, device: 'a', priority: 1 },
      { uplink: 'platform', pos: 2, device: 'b', priority: 4 },
      { uplink: 'platform', pos: 3, device: 'a', priority: 2 },
    ])
    expect(await rows('SELECT device, last_seq FROM devices ORDER BY device')).toEqual([
      { device: 'a', last_seq: 2 },
      { device: 'b', last_seq: 1 },
    ])
    expect(appended.map((r) => r.event.seq)).toEqual([1, 1, 2])
    expect(journal.pendingCount('platform')).toBe(3)

    // Acknowledged by one uplink, twice over (a resend acknowledged again): counted off once.
    journal.ack('platform', [1, 2, 2])
    await journal.append({ event: event('c', {}) })
    journal.ack('centre', [2])
    await journal.append({ event: event('c', {}) })
    // Recorded by a commit of their own once they have waited for company.
    await new Promise<void>((resolve) => {
      const check = () => (journal.pendingCount('centre') === 4 && journal.pendingCount('platform') === 3 ? resolve() : setTimeout(check, 5))
      check()
    })
    expect(await rows('SELECT pos, pending_uplinks FROM events ORDER BY pos')).toEqual([
      { pos: 1, pending_uplinks: 1 },
      { pos: 2, pending_uplinks: 0 },
      { pos: 3, pending_uplinks: 2 },
      { pos: 4, pending_uplinks: 2 },
      { pos: 5, pending_uplinks: 2 },
    ])
  })

  it('opens a journal written before events.seq existed and goes on with its seqs', async () => {
    const path = join(t.dir, 'journal.db')
    const first = await t.open()
    await first.append({ event: event('a', {}) })
    await first.close()
    t.journal = undefined
    // The journal as an older build left it: no seq column.
    const db = await openDb(path, OPEN_RW)
    await exec(db, 'ALTER TABLE events DROP COLUMN seq')
    await closeDb(db)
    const journal = await t.open()
    const r = await journal.append({ event: event('a', {}) })
    expect(r.event.seq).toBe(2)
    expect(await rows('SELECT pos, seq FROM events ORDER BY pos')).toEqual([
      { pos: 1, seq: null },
      { pos: 2, seq: 2 },
    ])
    expect(await rows('SELECT last_seq FROM devices')).toEqual([{ last_seq: 2 }])
  })
})
