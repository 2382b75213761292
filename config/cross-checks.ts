import type { z } from 'zod'
import { deviceRuleIssues } from './device-rules.js'

/** One problem found by a check that spans fields: its path and what is wrong. */
export interface CrossIssue {
  path: PropertyKey[]
  message: string
}

type Loose = Record<string, unknown>

/** The entries of a list that are objects, with their index; anything else was reported by its schema. */
export function entries(list: unknown): Array<[number, Loose]> {
  if (!Array.isArray(list)) return []
  return list.flatMap((v, i): Array<[number, Loose]> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [[i, v as Loose]] : []))
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** An id used twice in a list: reported at the second one, naming the first. */
function duplicates(list: unknown, key: string, at: string[], what: string): CrossIssue[] {
  const seen = new Map<string, number>()
  const out: CrossIssue[] = []
  for (const [i, item] of entries(list)) {
    const v = str(item[key])
    if (v === undefined) continue
    const first = seen.get(v)
    if (first === undefined) seen.set(v, i)
    else out.push({ path: [...at, i, key], message: `${what} "${v}" is already used by ${[...at, first].join('.')}: ${what}s must be unique` })
  }
  return out
}

/**
 * Checks across fields: unique ids, broker users that name real devices, and each device's rules.
 * They run on whatever the file holds, even when some fields are invalid, so `pingan check` reports
 * every problem at once: the input is read loosely and anything malformed is skipped here (its own
 * schema reports it).
 */
export function crossIssues(c: unknown): CrossIssue[] {
  if (c === null || typeof c !== 'object') return []
  const root = c as Loose
  const out: CrossIssue[] = [...duplicates(root['devices'], 'id', ['devices'], 'device id')]
  const ingest = new Set(
    entries(root['devices'])
      .filter(([, d]) => d['adapter'] === 'mqtt-ingest')
      .map(([, d]) => str(d['id'])),
  )
  const broker = root['broker']
  const users = broker !== null && typeof broker === 'object' ? (broker as Loose)['users'] : undefined
  out.push(...duplicates(users, 'username', ['broker', 'users'], 'username'))
  for (const [i, u] of entries(users)) {
    const devices = Array.isArray(u['devices']) ? (u['devices'] as unknown[]) : []
    devices.forEach((d, j) => {
      if (typeof d === 'string' && !ingest.has(d)) {
        out.push({ path: ['broker', 'users', i, 'devices', j], message: `"${d}" is not an mqtt-ingest device in devices: add it there or remove it here` })
      }
    })
    if (u['role'] === 'producer' && devices.length === 0) {
      out.push({ path: ['broker', 'users', i, 'devices'], message: 'a producer needs the ids of the mqtt-ingest devices it publishes for' })
    }
  }
  out.push(...duplicates(root['uplinks'], 'id', ['uplinks'], 'uplink id'))
  const api = root['api']
  out.push(...duplicates(api !== null && typeof api === 'object' ? (api as Loose)['users'] : undefined, 'name', ['api', 'users'], 'user name'))
  for (const [i, d] of entries(root['devices'])) {
    for (const issue of deviceRuleIssues(d)) out.push({ path: ['devices', i, ...issue.path], message: issue.message })
  }
  return out
}

/** Adds the cross-field issues to a zod refinement context. */
export function addCrossIssues(c: unknown, ctx: z.RefinementCtx): void {
  for (const i of crossIssues(c)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message })
}
