import sqlite3 from 'sqlite3'
import { nowMs, percentile, round } from './lib/stats.js'

/** One timed request: what it asked, how long it took, and the cursor it got. */
interface Timed {
  ms: number
  nextCursor: string | null
}

export interface QueryClass {
  name: string
  /** The query string of the i-th request of this class. */
  query(i: number): string
  /** Requests of this class; default 100. */
  n?: number
}

/** GET `path` with the bearer token: its time to the whole body, and its `nextCursor`. */
export async function timedGet(base: string, token: string, path: string): Promise<Timed> {
  const t0 = nowMs()
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })
  const body = await res.text()
  const ms = nowMs() - t0
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${body.slice(0, 300)}`)
  const parsed = path.startsWith('/api/v1/events') ? (JSON.parse(body) as { nextCursor?: string | null }) : {}
  return { ms, nextCursor: parsed.nextCursor ?? null }
}

/** p50 / p99 of each class, `per` requests each (unless the class says), one at a time; plus `pages` pages followed by cursor. */
export async function queryLatencies(
  base: string,
  token: string,
  classes: readonly QueryClass[],
  per: number,
  paging: { query: string; pages: number; runs: number },
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>()
  for (const c of classes) {
    const ms: number[] = []
    for (let i = 0; i < (c.n ?? per); i++) ms.push((await timedGet(base, token, `/api/v1/events?${c.query(i)}`)).ms)
    out.set(c.name, ms)
  }
  const pageMs: number[] = []
  for (let r = 0; r < paging.runs; r++) {
    let cursor: string | null = null
    for (let p = 0; p < paging.pages; p++) {
      const t: Timed = await timedGet(base, token, `/api/v1/events?${paging.query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      pageMs.push(t.ms)
      cursor = t.nextCursor
      if (!cursor) throw new Error(`paging ${paging.query} ended after ${p + 1} pages`)
    }
  }
  out.set(`paging (${paging.pages} pages deep)`, pageMs)
  return out
}

/** The ceiling: the newest 100 bodies read straight from the journal file, `n` times. */
export async function rawNewestPage(path: string, n: number): Promise<number[]> {
  const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY)
  const all = () =>
    new Promise<unknown[]>((r, j) => db.all('SELECT body FROM events ORDER BY pos DESC LIMIT 100', (e: Error | null, rows: unknown[]) => (e ? j(e) : r(rows))))
  const ms: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = nowMs()
    await all()
    ms.push(nowMs() - t0)
  }
  await new Promise((r) => db.close(r))
  return ms
}

export function p50p99(ms: readonly number[]): string {
  return `${round(percentile(ms, 50))} / ${round(percentile(ms, 99))}`
}
