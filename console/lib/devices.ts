import type { DeviceView } from '../types.js'

export type SortKey = 'id' | 'kind' | 'location' | 'online' | 'lastSeenAt'

/**
 * Stale: offline, or not heard from for longer than its supervision window (a device without a
 * window is judged by its online flag alone). Pure: `now` is given.
 */
export function isStale(d: DeviceView, now: number): boolean {
  if (!d.online) return true
  const w = d.supervision?.windowMs
  if (!w || !d.lastSeenAt) return false
  return now - Date.parse(d.lastSeenAt) > w
}

function keyOf(d: DeviceView, k: SortKey): string | number {
  if (k === 'online') return d.online ? 1 : 0
  if (k === 'lastSeenAt') return d.lastSeenAt ? Date.parse(d.lastSeenAt) : 0
  if (k === 'location') return [d.location.building, d.location.unit, d.location.area].join(' ')
  if (k === 'id') return `${d.name ?? ''} ${d.id}`.toLowerCase()
  return d[k]
}

export function sortDevices(list: readonly DeviceView[], k: SortKey, desc: boolean): DeviceView[] {
  const sign = desc ? -1 : 1
  return [...list].sort((a, b) => {
    const x = keyOf(a, k)
    const y = keyOf(b, k)
    return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * sign
  })
}

/** Every word of the filter must appear in the id, name, kind, adapter or location. */
export function matchesFilter(d: DeviceView, filter: string): boolean {
  const hay = [d.id, d.name, d.kind, d.adapter, d.location.building, d.location.unit, d.location.area].join(' ').toLowerCase()
  return filter
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w))
}

/** Applies a live `state` message to the list (online flag and reason). */
export function applyState(list: readonly DeviceView[], s: { device: string; online?: unknown; reason?: unknown }): DeviceView[] {
  return list.map((d) =>
    d.id === s.device
      ? {
          ...d,
          online: s.online === undefined ? d.online : s.online === true,
          ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
          lastSeenAt: s.online === true ? new Date().toISOString() : d.lastSeenAt,
        }
      : d,
  )
}
