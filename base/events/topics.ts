/**
 * The topic grammar, in one place. Local broker and platform use the same tree:
 *
 *   pingan/v1/{site}/event/{kind}/{device}     normalized events (QoS 1)
 *   pingan/v1/{site}/state/{device}            retained device state
 *   pingan/v1/{site}/cmd/{device}              commands in
 *   pingan/v1/{site}/cmd/{device}/result       command outcomes
 *   pingan/v1/{site}/ingest/{device}           third-party producers publish here
 *   pingan/v1/{site}/gateway/status            retained gateway health, with a last will
 *
 * A platform consumes thousands of sites with `pingan/v1/+/event/#` (or a shared subscription).
 */
import { KINDS, type Kind } from './types.js'

export const TOPIC_ROOT = 'pingan/v1'

const LEVEL_RE = /^[A-Za-z0-9_-]{1,64}$/

export type ParsedTopic =
  | { site: string; type: 'event'; kind: Kind; device: string }
  | { site: string; type: 'state'; device: string }
  | { site: string; type: 'cmd'; device: string }
  | { site: string; type: 'cmd-result'; device: string }
  | { site: string; type: 'ingest'; device: string }
  | { site: string; type: 'gateway-status' }

export const topics = {
  event: (site: string, kind: Kind, device: string) => `${TOPIC_ROOT}/${site}/event/${kind}/${device}`,
  state: (site: string, device: string) => `${TOPIC_ROOT}/${site}/state/${device}`,
  cmd: (site: string, device: string) => `${TOPIC_ROOT}/${site}/cmd/${device}`,
  cmdResult: (site: string, device: string) => `${TOPIC_ROOT}/${site}/cmd/${device}/result`,
  ingest: (site: string, device: string) => `${TOPIC_ROOT}/${site}/ingest/${device}`,
  gatewayStatus: (site: string) => `${TOPIC_ROOT}/${site}/gateway/status`,
  /** Filters. */
  allEvents: (site = '+') => `${TOPIC_ROOT}/${site}/event/#`,
  allStates: (site = '+') => `${TOPIC_ROOT}/${site}/state/+`,
  allCommands: (site: string) => `${TOPIC_ROOT}/${site}/cmd/+`,
  allCommandResults: (site = '+') => `${TOPIC_ROOT}/${site}/cmd/+/result`,
  allGatewayStatus: () => `${TOPIC_ROOT}/+/gateway/status`,
} as const

/** Levels of an event topic: pingan / v1 / {site} / event / {kind} / {device}. */
const EVENT_LEVELS = 6

/**
 * Whether a subscription filter can match an event topic of `site` (MQTT 3.1.1 4.7: `+` is one
 * level, `#` the rest including the parent). A literal kind or device is taken to name one.
 */
export function filterMatchesEvents(filter: string, site: string): boolean {
  const fixed = ['pingan', 'v1', site, 'event']
  const levels = filter.split('/')
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!
    if (level === '#') return true
    if (i >= EVENT_LEVELS) return false
    if (level !== '+' && i < fixed.length && level !== fixed[i]) return false
  }
  return levels.length === EVENT_LEVELS
}

function isKind(s: string): s is Kind {
  return (KINDS as readonly string[]).includes(s)
}

/** Parses one of our topics; undefined for anything outside the grammar. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/')
  if (parts[0] !== 'pingan' || parts[1] !== 'v1') return undefined
  const [site, what, a, b, c] = parts.slice(2)
  if (site === undefined || !LEVEL_RE.test(site)) return undefined
  const n = parts.length
  if (what === 'event' && n === 6 && a !== undefined && isKind(a) && b !== undefined && LEVEL_RE.test(b)) {
    return { site, type: 'event', kind: a, device: b }
  }
  if (a === undefined || !LEVEL_RE.test(a)) {
    return what === 'gateway' && a === 'status' && n === 5 ? { site, type: 'gateway-status' } : undefined
  }
  if (what === 'state' && n === 5) return { site, type: 'state', device: a }
  if (what === 'ingest' && n === 5) return { site, type: 'ingest', device: a }
  if (what === 'cmd' && n === 5) return { site, type: 'cmd', device: a }
  if (what === 'cmd' && n === 6 && b === 'result' && c === undefined) return { site, type: 'cmd-result', device: a }
  if (what === 'gateway' && a === 'status' && n === 5) return { site, type: 'gateway-status' }
  return undefined
}
