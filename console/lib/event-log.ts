import type { EventView } from '../types.js'

/** How many events the live log keeps in the page. */
export const LOG_MAX = 500

/** Newest first, without repeats (a live event may also come in the reload after an overflow). */
export function addEvent(list: readonly EventView[], e: EventView, max = LOG_MAX): EventView[] {
  if (list.some((x) => x.id === e.id)) return list as EventView[]
  return [e, ...list].slice(0, max)
}

/** The text a search or highlight term is looked for in: type, device, zone, user, attributes. */
export function eventText(e: EventView): string {
  return [e.type, e.device, e.kind, e.zone, e.user, JSON.stringify(e.attrs ?? {})].join(' ').toLowerCase()
}

export function matches(e: EventView, term: string): boolean {
  const t = term.trim().toLowerCase()
  return t === '' || eventText(e).includes(t)
}
