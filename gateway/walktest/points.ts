import type { DeviceConfig } from '../../config/devices.js'
import { profileOf } from '../../adapters/modbus/config.js'
import { PRIORITY_LIFE_SAFETY, defaultPriority } from '../../base/events/types.js'

export const POINT_KINDS = ['zone', 'reader', 'door', 'lock', 'camera', 'producer'] as const
export type PointKind = (typeof POINT_KINDS)[number]

/**
 * One thing the installer must make happen during a walk test. `expected` lists the steps that
 * test it (see match.ts): all of them, in that order where order matters (a zone's alarm before
 * its restore, a door's opening before its closing).
 */
export interface Point {
  /** Stable across runs of the same config: `device`, `device/zone/...`. */
  key: string
  device: string
  /** Contact ID: the zone number (CCC); OSDP: the door id. */
  zone?: string
  /** Contact ID: the account whose own zone map names this zone. */
  account?: string
  label: string
  kind: PointKind
  expected: readonly string[]
  /** A fire, panic, medical, gas or duress zone: excluded unless the installer includes it. */
  lifeSafety: boolean
}

/** Steps per kind. A camera is tested by either a motion event or a snapshot: one step, "seen". */
export const EXPECTED: Readonly<Record<PointKind, readonly string[]>> = {
  zone: ['alarm', 'restore'],
  reader: ['read'],
  door: ['open', 'closed'],
  lock: ['raised', 'lowered'],
  camera: ['seen'],
  producer: ['event'],
}

function point(p: Omit<Point, 'expected' | 'lifeSafety'> & { lifeSafety?: boolean }): Point {
  return { ...p, expected: EXPECTED[p.kind], lifeSafety: p.lifeSafety ?? false }
}

/** A zone whose configured type defaults to priority 1 (base/events/types.ts). */
function isLifeSafety(type: string | undefined): boolean {
  return type !== undefined && defaultPriority('alarm', type) === PRIORITY_LIFE_SAFETY
}

type ZoneMap = Record<string, { name: string; type?: string | undefined }>

function zonePoints(device: string, name: string, zones: ZoneMap, account?: string): Point[] {
  // Zone number order: YAML keys like 15 and 2 come back in numeric order, 015 and 002 in written order.
  return Object.entries(zones)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ccc, z]) =>
      point({
        key: account === undefined ? `${device}/${ccc}` : `${device}/${account}-${ccc}`,
        device,
        zone: ccc,
        ...(account !== undefined ? { account } : {}),
        label: `${name}: zone ${ccc} ${z.name}${account !== undefined ? ` (account ${account})` : ''}`,
        kind: 'zone',
        lifeSafety: isLifeSafety(z.type),
      }),
    )
}

/** Every point the config describes, in config order. */
export function expectedPoints(devices: readonly DeviceConfig[]): Point[] {
  const out: Point[] = []
  for (const d of devices) {
    const name = d.name ?? d.id
    switch (d.adapter) {
      case 'contact-id':
        out.push(...zonePoints(d.id, name, d.zones))
        for (const [acct, a] of Object.entries(d.accounts)) out.push(...zonePoints(d.id, a.name ?? name, a.zones, acct))
        break
      case 'osdp':
        for (const r of d.readers) {
          const door = r.name ?? r.door
          out.push(point({ key: `${d.id}/${r.door}/reader`, device: d.id, zone: r.door, label: `${door}: reader`, kind: 'reader' }))
          if (r.contactInput !== undefined)
            out.push(point({ key: `${d.id}/${r.door}/door`, device: d.id, zone: r.door, label: `${door}: door contact`, kind: 'door' }))
        }
        break
      case 'modbus':
        if (isLock(d)) out.push(point({ key: d.id, device: d.id, label: `${name}: lock`, kind: 'lock' }))
        break
      case 'onvif':
        out.push(point({ key: d.id, device: d.id, label: `${name}: camera`, kind: 'camera' }))
        break
      case 'mqtt-ingest':
        out.push(point({ key: d.id, device: d.id, label: `${name}: producer`, kind: 'producer' }))
        break
    }
  }
  return out
}

/** A register map that reports both lock positions: a parking lock (not a space sensor). */
function isLock(d: Extract<DeviceConfig, { adapter: 'modbus' }>): boolean {
  const events = new Set<string>()
  for (const p of Object.values(profileOf(d).points)) for (const s of Object.values(p.states ?? {})) if (s.event) events.add(s.event)
  return events.has('lock.raised') && events.has('lock.lowered')
}

/** Contact ID zone numbers as installers write them (`15`, `015`, `0f`) -> the 3 characters of CCC. */
export function normalizeZone(zone: string): string {
  return /^[0-9A-Fa-f]{1,3}$/.test(zone) ? zone.toUpperCase().padStart(3, '0') : zone
}
