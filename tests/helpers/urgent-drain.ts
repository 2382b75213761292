import type { OutboxRow } from '../../cloud-bridge/outbox.js'

/** Priority 2 (security) and more urgent drain ahead of information (cloud-bridge/read-plan.ts). */
const URGENT_MAX_PRIORITY = 2

/**
 * A long outage's backlog of `n` events, a fifth of them urgent: three panels that send only
 * alarms, two doors that send information, then a door whose alarm follows its own information
 * events (which must go before it) and one more information event.
 */
export function outageBacklog(n: number): Array<{ device: string; priority: number }> {
  const events = Array.from({ length: n }, (_, i) =>
    i % 5 === 0 ? { device: `panel-${i % 3}`, priority: 1 + (i % 2) } : { device: i % 2 === 0 ? 'door-a' : 'door-b', priority: 5 },
  )
  return [...events, { device: 'door-c', priority: 5 }, { device: 'door-c', priority: 5 }, { device: 'door-c', priority: 2 }, { device: 'door-b', priority: 5 }]
}

/**
 * Checks an uplink's sends against the drain promise: while urgent events remain unsent, every send
 * is urgent or an earlier event of a device with an urgent event still to come. Returns the sends
 * (each event once) up to the last urgent one, and those among them that broke the promise.
 */
export function urgentDrain(sent: readonly OutboxRow[]): { ahead: OutboxRow[]; strays: OutboxRow[] } {
  const seen = new Set<string>()
  const sends = sent.filter((r) => !seen.has(r.id) && seen.add(r.id))
  const urgent = (r: OutboxRow) => r.priority <= URGENT_MAX_PRIORITY
  const ahead = sends.slice(0, sends.findLastIndex(urgent) + 1)
  const lastUrgentOf = new Map<string, number>()
  for (const [i, r] of ahead.entries()) if (urgent(r)) lastUrgentOf.set(r.device, i)
  return { ahead, strays: ahead.filter((r, i) => !urgent(r) && i > (lastUrgentOf.get(r.device) ?? -1)) }
}
