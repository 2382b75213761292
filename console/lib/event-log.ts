import type { EventView } from '../types.js'

/** How many events the live log keeps in the page. */
export const LOG_MAX = 500

/** Newest first, without repeats (a live event may also come in the reload after an overflow). */
export function addEvent(list: readonly EventView[], e: EventView, max = LOG_MAX): EventView[] {
  if (list.some((x) => x.id === e.id)) return list as EventView[]
  return [e, ...list].slice(0, max)
}

/** A page of stored events merged into the live list: newest first by receipt, without repeats. */
export function mergeEvents(list: readonly EventView[], page: readonly EventView[], max = LOG_MAX): EventView[] {
  const seen = new Set(list.map((e) => e.id))
  const merged = [...list, ...page.filter((e) => !seen.has(e.id))]
  return merged.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0)).slice(0, max)
}

/** Short text for an event's zone, user and attributes. */
export function eventDetail(e: EventView): string {
  const parts: string[] = []
  if (e.zone) parts.push(`zone ${e.zone}`)
  if (e.user) parts.push(`user ${e.user}`)
  for (const [k, v] of Object.entries(e.attrs ?? {})) parts.push(`${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
  return parts.join(' ')
}

/** The stored picture an event refers to (a camera's `snapshot` event: attrs.snapshot.id). */
export function snapshotOf(e: EventView): string | undefined {
  const s = e.attrs?.['snapshot'] as { id?: unknown } | undefined
  return typeof s?.id === 'string' ? s.id : undefined
}

/** The text a search or highlight term is looked for in: what the row shows (type, device, details). */
export function eventText(e: EventView): string {
  return [e.type, e.device, e.kind, eventDetail(e)].join(' ').toLowerCase()
}

export function matches(e: EventView, term: string): boolean {
  const t = term.trim().toLowerCase()
  return t === '' || eventText(e).includes(t)
}

/** A page of GET /events?q=: `complete` false when the gateway's scan budget ran out first; `nextCursor` continues further back. */
export interface SearchPage {
  events: EventView[]
  nextCursor: string | null
  complete: boolean
  scanned: number
}

/** The API path of a search of the journal for `term`, below `cursor` when it continues one. */
export function searchPath(term: string, cursor: string | null): string {
  const p = new URLSearchParams({ q: term.trim(), limit: '100' })
  if (cursor !== null) p.set('cursor', cursor)
  return `/events?${p}`
}
