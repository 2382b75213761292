/**
 * The closed list of event types, per kind, with their default priority.
 *
 * Priority: 1 life safety, 2 security, 3 supervision and faults, 4 information.
 * It orders the backlog drain and decides what the journal evicts last.
 * This module imports nothing of ours: everything else builds on it.
 */

export const KINDS = ['alarm', 'access', 'parking', 'camera', 'gateway'] as const
export type Kind = (typeof KINDS)[number]

export type Priority = 1 | 2 | 3 | 4
/** Fire, panic, medical, gas, duress: never held back, and a walk test leaves them live unless included. */
export const PRIORITY_LIFE_SAFETY: Priority = 1
export const PRIORITY_SUPERVISION: Priority = 3

/** Types every device kind may report (supervision, power, tests, the generic fallback). */
const COMMON = {
  'device.online': 4,
  'device.offline': 3,
  tamper: 2,
  'tamper.restore': 4,
  'power.lost': 3,
  'power.restored': 4,
  'battery.low': 3,
  'battery.restored': 4,
  trouble: 3,
  'trouble.restore': 4,
  test: 4,
  /** Kept, never dropped: a code or topic we have no mapping for, with the raw value in attrs. */
  other: 3,
  /** A reading outside what the device's register map (profile) allows: the map does not fit the device. */
  'profile.mismatch': 3,
} as const satisfies Record<string, Priority>

const ALARM = {
  medical: 1,
  'medical.restore': 4,
  fire: 1,
  'fire.restore': 4,
  panic: 1,
  'panic.restore': 4,
  duress: 1,
  'duress.restore': 4,
  gas: 1,
  'gas.restore': 4,
  intrusion: 2,
  'intrusion.restore': 4,
  'alarm.24h': 2,
  'alarm.24h.restore': 4,
  environmental: 3,
  'environmental.restore': 4,
  supervisory: 3,
  'supervisory.restore': 4,
  'communication.trouble': 3,
  'communication.restore': 4,
  arm: 4,
  disarm: 4,
  'alarm.cancel': 4,
  bypass: 4,
  'bypass.restore': 4,
} as const satisfies Record<string, Priority>

const ACCESS = {
  'door.forced': 2,
  'door.forced.restore': 4,
  'door.held': 2,
  'door.held.restore': 4,
  'door.open': 4,
  'door.closed': 4,
  'door.unlocked': 4,
  'access.granted': 4,
  'access.denied': 3,
  credential: 4,
  keypad: 4,
  'secure-channel.failure': 2,
  /** A reader that keeps refusing the gateway (e.g. it requires the secure channel); attrs say what to change. */
  'reader.fault': 3,
  'reader.fault.restore': 4,
} as const satisfies Record<string, Priority>

const PARKING = {
  'parking.occupied': 4,
  'parking.vacant': 4,
  'lock.raised': 4,
  'lock.lowered': 4,
  'lock.moving': 4,
  'lock.fault': 3,
  'lock.fault.restore': 4,
} as const satisfies Record<string, Priority>

const CAMERA = {
  motion: 2,
  'motion.end': 4,
  'video.tamper': 2,
  'video.tamper.restore': 4,
  input: 2,
  'input.end': 4,
  'line.crossed': 2,
  'field.intrusion': 2,
  'field.intrusion.end': 4,
  snapshot: 4,
} as const satisfies Record<string, Priority>

const GATEWAY = {
  'gateway.started': 4,
  'gateway.stopped': 4,
  /** The journal had to drop undelivered events to stay within its bounds. */
  'journal.evicted': 3,
  /** The journal could not commit (disk or database full) and is recovering. */
  'journal.full': 3,
  /** A third-party producer sent a payload the ingest gate refused. */
  'ingest.rejected': 3,
  /** An uplink kept refusing an event; it was set aside so the rest could flow. */
  'uplink.parked': 3,
  /** A DC-09 path (its receivers) stopped answering; traffic moved to the other path. */
  'uplink.path.fault': 3,
  'uplink.path.restore': 4,
  /** A DC-09 receiver refused a message (DUH); it went to the next receiver. */
  'uplink.refused': 3,
  /** A DC-09 receiver's clock differs from ours by more than the configured bound. */
  'uplink.clock.offset': 3,
  /** An installer put devices on walk test: their events carry `test: true` until it ends. */
  'walktest.started': 4,
  /** A walk test ended; sent at priority 3 when points were left untested (attrs list them). */
  'walktest.ended': 4,
} as const satisfies Record<string, Priority>

export const EVENT_TYPES: Readonly<Record<Kind, Readonly<Record<string, Priority>>>> = {
  alarm: { ...COMMON, ...ALARM },
  access: { ...COMMON, ...ACCESS },
  parking: { ...COMMON, ...PARKING },
  camera: { ...COMMON, ...CAMERA },
  gateway: { ...COMMON, ...GATEWAY },
}

export function isKnownType(kind: Kind, type: string): boolean {
  return Object.hasOwn(EVENT_TYPES[kind], type)
}

/** The default priority of a type; undefined when the type is not in the kind's list. */
export function defaultPriority(kind: Kind, type: string): Priority | undefined {
  return isKnownType(kind, type) ? EVENT_TYPES[kind][type] : undefined
}
