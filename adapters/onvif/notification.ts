import type { Element } from '@xmldom/xmldom'
import { CodecError } from '../../base/errors.js'
import { NS, child, children, path, resolveQName, textOf } from './xml.js'

/**
 * One wsnt:NotificationMessage as the camera sent it, with its topic resolved to a namespace URI.
 * [ONVIF Core §9.1 "Notification message", WS-BaseNotification §3.2]
 */
export interface Notification {
  /** The topic as written, e.g. "tns1:RuleEngine/CellMotionDetector/Motion". */
  topic: string
  /** Namespace URI of the topic's root, resolved where the prefix was declared; null when undeclared. */
  topicNs: string | null
  /** The topic path without prefixes, e.g. "RuleEngine/CellMotionDetector/Motion". */
  topicPath: string
  /** tt:Message/@PropertyOperation: Initialized, Changed, Deleted; undefined for stateless events. */
  operation: string | undefined
  utcTime: string | undefined
  source: Record<string, string>
  data: Record<string, string>
}

function simpleItems(parent: Element | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!parent) return out
  for (const item of children(parent, NS.tt, 'SimpleItem')) {
    const name = item.getAttribute('Name')
    if (name) out[name] = item.getAttribute('Value') ?? ''
  }
  // ElementItem carries structured data (e.g. a bounding box); keep only its presence.
  for (const item of children(parent, NS.tt, 'ElementItem')) {
    const name = item.getAttribute('Name')
    if (name && !(name in out)) out[name] = '[element]'
  }
  return out
}

/** Parses one wsnt:NotificationMessage element. Throws CodecError when it has no topic or message. */
export function parseNotification(el: Element): Notification {
  const topicEl = child(el, NS.wsnt, 'Topic')
  const topic = textOf(topicEl)
  if (!topicEl || !topic) throw new CodecError('NotificationMessage without a Topic')
  // ConcreteSet expressions may prefix every segment (vendor extensions); the root decides the namespace.
  const segments = topic.split('/')
  const root = resolveQName(topicEl, segments[0] ?? '')
  const topicPath = [root.local, ...segments.slice(1).map((s) => s.slice(s.indexOf(':') + 1))].join('/')
  const msg = path(el, [NS.wsnt, 'Message'], [NS.tt, 'Message'])
  if (!msg) throw new CodecError(`NotificationMessage on ${topic} without a tt:Message`)
  return {
    topic,
    topicNs: root.ns,
    topicPath,
    operation: msg.getAttribute('PropertyOperation') || undefined,
    utcTime: msg.getAttribute('UtcTime') || undefined,
    source: simpleItems(child(msg, NS.tt, 'Source')),
    data: simpleItems(child(msg, NS.tt, 'Data')),
  }
}

/** What a topic means to us. */
export type SignalKind = 'motion' | 'tamper' | 'input' | 'line' | 'field' | 'other'

interface TopicRule {
  kind: Exclude<SignalKind, 'other'>
  /** Matches the topic path (below the tns1 root). */
  match: (p: string) => boolean
  /** Data item names that carry the state, in order of preference; vendors differ. */
  values: readonly string[]
}

/** [ONVIF Core Appendix A, "Topic structure"; ONVIF Analytics Service §5.2.3 and Annex; vendor variants seen in the field]. */
const RULES: readonly TopicRule[] = [
  { kind: 'motion', match: (p) => p.endsWith('VideoSource/MotionAlarm'), values: ['State', 'IsMotion'] },
  { kind: 'motion', match: (p) => p.endsWith('RuleEngine/CellMotionDetector/Motion'), values: ['IsMotion', 'State'] },
  { kind: 'tamper', match: (p) => p.endsWith('RuleEngine/TamperDetector/Tamper'), values: ['IsTamper', 'State'] },
  { kind: 'tamper', match: (p) => /(^|\/)VideoSource\/GlobalSceneChange\/[^/]+$/.test(p), values: ['State', 'IsTamper'] },
  { kind: 'input', match: (p) => p.endsWith('Device/Trigger/DigitalInput'), values: ['LogicalState', 'State', 'Level'] },
  { kind: 'line', match: (p) => p.endsWith('RuleEngine/LineDetector/Crossed'), values: ['State'] },
  { kind: 'field', match: (p) => p.endsWith('RuleEngine/FieldDetector/ObjectsInside'), values: ['IsInside', 'State'] },
]

const TRUE = new Set(['true', '1', 'active', 'on', 'high'])
const FALSE = new Set(['false', '0', 'inactive', 'off', 'low'])

function toBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined
  const s = v.trim().toLowerCase()
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined
}

/** The normalized meaning of one notification. */
export interface Classified {
  signal: SignalKind
  /**
   * 'state' for Initialized/Deleted messages (the camera's current state when the subscription
   * starts, not a new alarm by itself [ONVIF Core §9.2.2]); otherwise the event type of the camera kind.
   */
  type: string
  /** The detector's value; undefined when the message carries none we can read. */
  active: boolean | undefined
  /**
   * For an Initialized message with a value: the event type that value stands for ('input', 'input.end'),
   * raised when it differs from the last state we knew (the detector changed while unsubscribed).
   */
  changeType?: string
  /** The source token that names where it happened (rule, input or video source). */
  zone: string | undefined
}

const EVENT_TYPE: Record<Exclude<SignalKind, 'other' | 'line'>, readonly [string, string]> = {
  motion: ['motion', 'motion.end'],
  tamper: ['video.tamper', 'video.tamper.restore'],
  input: ['input', 'input.end'],
  field: ['field.intrusion', 'field.intrusion.end'],
}

function zoneOf(n: Notification): string | undefined {
  const s = n.source
  const z = s['Rule'] ?? s['InputToken'] ?? s['Source'] ?? s['VideoSourceToken'] ?? s['VideoSourceConfigurationToken']
  return z === undefined || z === '' ? undefined : z.slice(0, 64)
}

/** The first of `names` that holds a boolean; else, with `loose`, the data's only boolean (vendors rename). */
function stateValue(n: Notification, names: readonly string[], loose: boolean): boolean | undefined {
  for (const name of names) {
    const v = toBool(n.data[name])
    if (v !== undefined) return v
  }
  if (!loose) return undefined
  const bools = Object.values(n.data)
    .map(toBool)
    .filter((b) => b !== undefined)
  return bools.length === 1 ? bools[0] : undefined
}

/** Maps a notification to a camera event type, or 'state', or 'other' for topics we do not know. */
export function classify(n: Notification): Classified {
  const zone = zoneOf(n)
  const rule = n.topicNs === NS.tns1 ? RULES.find((r) => r.match(n.topicPath)) : undefined
  const isState = n.operation === 'Initialized' || n.operation === 'Deleted'
  if (!rule) return { signal: 'other', type: isState ? 'state' : 'other', active: undefined, zone }
  if (rule.kind === 'line') {
    // A crossing is stateless, but some cameras announce the detector as a property with a State
    // (Initialized State=false at subscription). Only a named State counts: ObjectId "0" is no value.
    const state = stateValue(n, rule.values, false)
    if (isState || state === false) return { signal: 'line', type: 'state', active: state, zone }
    return { signal: 'line', type: 'line.crossed', active: true, zone }
  }
  const active = stateValue(n, rule.values, true)
  if (active === undefined) return { signal: 'other', type: isState ? 'state' : 'other', active: undefined, zone }
  const [on, off] = EVENT_TYPE[rule.kind]
  if (n.operation === 'Initialized') return { signal: rule.kind, type: 'state', active, changeType: active ? on : off, zone }
  if (isState) return { signal: rule.kind, type: 'state', active, zone }
  return { signal: rule.kind, type: active ? on : off, active, zone }
}
