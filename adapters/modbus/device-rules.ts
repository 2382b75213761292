import { isKnownType, KINDS, type Kind } from '../../base/events/types.js'
import type { DeviceIssue } from '../device-base.js'
import type { Profile } from './profile.js'
import { BUILTIN_PROFILES } from './profiles.js'

type Loose = Record<string, unknown>

/** The event types a register map can raise (states and thresholds); online and offline are common to every kind. */
export function profileEventTypes(p: Profile): Set<string> {
  const types = new Set<string>()
  for (const point of Object.values(p.points)) {
    for (const s of Object.values(point.states ?? {})) {
      if (s.event !== undefined) types.add(s.event)
      if (s.restoreEvent !== undefined) types.add(s.restoreEvent)
    }
    if (point.low) types.add(point.low.event).add(point.low.restoreEvent)
  }
  return types
}

function kindsFitting(types: ReadonlySet<string>): Kind[] {
  return KINDS.filter((k) => [...types].every((t) => isKnownType(k, t)))
}

/**
 * A built-in profile's events must be types of the device's kind, or the journal refuses every one
 * of them. (An inline profile is checked point by point by the Modbus fragment itself.)
 */
function kindIssues(d: Loose): DeviceIssue[] {
  const name = d['profile']
  const kind = d['kind']
  if (typeof name !== 'string' || !Object.hasOwn(BUILTIN_PROFILES, name)) return []
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) return []
  const types = profileEventTypes(BUILTIN_PROFILES[name as keyof typeof BUILTIN_PROFILES])
  const wrong = [...types].filter((t) => !isKnownType(kind as Kind, t))
  if (wrong.length === 0) return []
  const fits = kindsFitting(types).filter((k) => k !== 'gateway')
  return [
    {
      path: ['kind'],
      message: `kind "${kind}" does not fit profile "${name}": it reports ${wrong.join(', ')}, which are not events of kind "${kind}"; use kind: ${fits.join(' or ') || '(none fits: write an inline profile)'}`,
    },
  ]
}

function framingIssues(d: Loose): DeviceIssue[] {
  if (d['framing'] !== 'mbap' || d['frameSilenceMs'] === undefined) return []
  return [{ path: ['frameSilenceMs'], message: 'Modbus TCP (mbap) frames carry their length: frameSilenceMs applies only to RTU framing; remove it' }]
}

/** The rules about one Modbus device that its schema does not see (read loosely: see config/cross-checks.ts). */
export function modbusDeviceIssues(d: Loose): DeviceIssue[] {
  return [...kindIssues(d), ...framingIssues(d)]
}
