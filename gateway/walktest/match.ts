import type { GatewayEvent } from '../../base/events/event.js'
import type { Point } from './points.js'

/** What matching needs of an event (the marker sees it before its commit, without `seq`). */
export type MatchEvent = Pick<GatewayEvent, 'device' | 'type' | 'zone' | 'attrs' | 'priority'>

/**
 * A zone's alarm: the Contact ID types a zone reports when it trips (adapters/contact-id/
 * event-codes.ts). Troubles, bypasses and tampers of a zone are not its detection.
 */
const ZONE_ALARMS = new Set(['intrusion', 'alarm.24h', 'fire', 'panic', 'medical', 'gas', 'duress', 'environmental'])
/**
 * A panel in its own walk-test mode reports each zone it saw tested [SIA DC-05 App. C: 611 point
 * tested OK, 613 intrusion zone, 614 fire zone, 615 panic zone walk tested]: that tests the zone.
 */
const PANEL_ZONE_TESTED = new Set(['611', '613', '614', '615'])
const READS = new Set(['credential', 'keypad', 'access.granted', 'access.denied'])
/**
 * The gateway's supervision of a device's link, not something the installer did: never a step,
 * never marked as a test (a device lost during a walk test is a real fault).
 */
const SUPERVISION = new Set(['device.online', 'device.offline'])

export function isSupervision(type: string): boolean {
  return SUPERVISION.has(type)
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** Whether the event is about this point (its device and, for zones and doors, its zone). */
export function concerns(p: Point, ev: MatchEvent): boolean {
  if (ev.device !== p.device) return false
  switch (p.kind) {
    case 'zone':
      // The adapter names the zone in `zone` and keeps CCC and the account in attrs.
      if (str(ev.attrs['zone']) !== p.zone) return false
      return p.account === undefined || str(ev.attrs['account']) === p.account
    case 'reader':
    case 'door':
      return ev.zone === p.zone
    default:
      return true
  }
}

/** The steps this event gives the point (none when it is not one of its tests). */
export function stepsOf(p: Point, ev: MatchEvent): string[] {
  switch (p.kind) {
    case 'zone': {
      if (PANEL_ZONE_TESTED.has(str(ev.attrs['code']) ?? '')) return ['alarm', 'restore']
      const restore = str(ev.attrs['qualifier']) === 'restore' || ev.type.endsWith('.restore')
      const base = ev.type.endsWith('.restore') ? ev.type.slice(0, -'.restore'.length) : ev.type
      if (!ZONE_ALARMS.has(base)) return []
      return [restore ? 'restore' : 'alarm']
    }
    case 'reader':
      return READS.has(ev.type) ? ['read'] : []
    case 'door':
      return ev.type === 'door.open' ? ['open'] : ev.type === 'door.closed' ? ['closed'] : []
    case 'lock':
      return ev.type === 'lock.raised' ? ['raised'] : ev.type === 'lock.lowered' ? ['lowered'] : []
    case 'camera':
      return ev.type === 'motion' || ev.type === 'snapshot' ? ['seen'] : []
    case 'producer':
      return SUPERVISION.has(ev.type) ? [] : ['event']
  }
}

/**
 * Whether a step counts now, given the steps already done: a zone's restore only after its alarm,
 * a door's closing only after its opening (a door already open when the test began has not been
 * walked through). A lock's raise and lower count in either order: it may start in either.
 */
export function counts(p: Point, done: readonly string[], step: string): boolean {
  if (done.includes(step)) return false
  if (p.kind === 'zone' && step === 'restore') return done.includes('alarm')
  if (p.kind === 'door' && step === 'closed') return done.includes('open')
  return p.expected.includes(step)
}
