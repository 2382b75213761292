import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventQuery, SCAN_BUDGET_ROWS, type EventFilter } from '../../../gateway/api/event-query.js'
import { all, closeDb, openDb, OPEN_RO, type Db } from '../../../gateway/journal/sqlite.js'
import { fillJournal } from '../../helpers/journal-rows.js'

const ROWS = 200_000
const BASE_MS = Date.UTC(2026, 0, 1)
// One event a second; every fifth stamped 1.5 s early (two adapters in one batch) and, past row
// 150,000, the wall clock stepped back 30 s.
const AT_SQL = `${BASE_MS} + i * 1000 - CASE WHEN i % 5 = 0 THEN 1500 ELSE 0 END - CASE WHEN i > 150000 THEN 30000 ELSE 0 END`
const at = (i: number) => BASE_MS + i * 1000 - (i % 5 === 0 ? 1500 : 0) - (i > 150_000 ? 30_000 : 0)

let dir: string
let query: EventQuery
let oracle: Db

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pingan-scan-'))
  const path = join(dir, 'journal.db')
  await fillJournal(path, { rows: ROWS, receivedAtSql: AT_SQL, word: 'needle', every: 29_989, offset: 7 })
  query = await EventQuery.open(path)
  oracle = await openDb(path, OPEN_RO)
}, 120_000)

afterAll(async () => {
  await query?.close()
  if (oracle) await closeDb(oracle)
  rmSync(dir, { recursive: true, force: true })
})

/** What a full scan of the journal answers, newest first. */
async function expected(where: string, params: number[] | string[]): Promise<number[]> {
  return (await all<{ pos: number }>(oracle, `SELECT pos FROM events WHERE ${where} ORDER BY pos DESC`, params)).map((r) => r.pos)
}

/** Follows every cursor from the first page; the positions found and each page's shape. */
async function follow(f: Omit<EventFilter, 'beforePos'>) {
  const found: number[] = []
  const pages: Array<{ n: number; complete: boolean; scanned: number }> = []
  let beforePos: number | undefined
  for (;;) {
    const p = await query.list({ ...f, beforePos })
    found.push(...p.events.map((e) => e.pos))
    pages.push({ n: p.events.length, complete: p.complete, scanned: p.scanned })
    if (!p.more) return { found, pages }
    beforePos = p.nextPos
  }
}

describe('events query over a 200,000-row journal: bounded work, every match reachable', () => {
  it.each([100, 1])('free text that matches little: partial pages whose cursors find every match once, newest first (limit %i)', async (limit) => {
    const want = await expected("body LIKE '%needle%'", [])
    expect(want).toHaveLength(7)
    const { found, pages } = await follow({ q: 'needle', limit })
    expect(found).toEqual(want)
    expect(pages.every((p) => p.scanned <= SCAN_BUDGET_ROWS)).toBe(true)
    expect(pages.filter((p) => !p.complete).length).toBeGreaterThanOrEqual(ROWS / SCAN_BUDGET_ROWS - 1)
    expect(pages.filter((p) => !p.complete).every((p) => p.scanned === SCAN_BUDGET_ROWS)).toBe(true)
  })

  it('a `to` far in the past starts at its position: the right first page, without walking the newer rows', async () => {
    const to = at(1000)
    const page = await query.list({ to, limit: 50 })
    expect(page.events.map((e) => e.pos)).toEqual((await expected('received_at < ?', [to])).slice(0, 50))
    expect(page.scanned).toBeLessThan(100)
  })

  it('a `to` just after the clock stepped back still finds the events stamped before it on both sides of the step', async () => {
    const to = at(150_016)
    const want = await expected('received_at < ?', [to])
    expect(want.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, k) => 150_015 - k))
    expect(want[15]).toBeLessThan(150_000)
    const page = await query.list({ to, limit: 100 })
    expect(page.events.map((e) => e.pos)).toEqual(want.slice(0, 100))
  })

  it('a time range with free text: every match once, newest first, through the cursors', async () => {
    const from = at(20_000)
    const to = at(170_000)
    const { found } = await follow({ from, to, q: 'needle', limit: 2 })
    expect(found).toEqual(await expected("received_at >= ? AND received_at < ? AND body LIKE '%needle%'", [from, to]))
    expect(found.length).toBeGreaterThan(2)
  })

  it('a time range that holds no event answers an empty, complete page', async () => {
    const page = await query.list({ from: at(ROWS) + 3_600_000, limit: 10 })
    expect(page).toMatchObject({ events: [], more: false, complete: true })
  })
})
