import type { DeviceConfig } from '../../config/devices.js'
import type { Point } from './points.js'
import type { StepDone } from './session.js'

/** One clock compared with the gateway's: positive when it is ahead. */
export interface ClockOffset {
  source: 'camera' | 'device' | 'dc09-receiver'
  /** The device id, or `<uplink>/<receiver>`. */
  id: string
  offsetMs: number
  /** How it was measured, in words a reader of the report understands. */
  basis: string
}

export interface ClockReport {
  /** The gateway's clock when the report was made: the reference for every offset. */
  gatewayAt: string
  offsets: ClockOffset[]
  /** Devices whose clock could not be compared, and why. */
  notes: string[]
}

const MEASURED_BASIS = "the ONVIF adapter's last GetSystemDateAndTime against the gateway's clock [ONVIF Core §5.12.1]"

const BASIS = {
  'onvif-measured': "camera's own event time against the offset the ONVIF adapter measured (GetSystemDateAndTime)",
  'event-time': "device's event time against the gateway's receipt (includes the transport's delay)",
} as const

/** Why a device's clock could not be compared, by adapter. */
const NO_TIME: Readonly<Record<string, string>> = {
  'contact-id': "Contact ID from a receiver's automation port carries no panel time",
  osdp: 'OSDP replies carry no reader time',
  modbus: 'its Modbus register map has no clock',
  onvif: "no test event carried the camera's own time",
  'mqtt-ingest': 'no test event carried occurredAt',
}

/** Receivers as the DC-09 uplink's health lists them (cloud-bridge/uplinks/dc09/dc09-uplink.ts). */
function receiverOffsets(uplink: string, health: Record<string, unknown> | undefined): ClockOffset[] {
  const paths = health?.['paths']
  if (!Array.isArray(paths)) return []
  const out: ClockOffset[] = []
  for (const p of paths as Array<{ receivers?: Array<{ name?: unknown; clockOffsetMs?: unknown }> }>) {
    for (const r of p.receivers ?? []) {
      if (typeof r.name !== 'string' || typeof r.clockOffsetMs !== 'number') continue
      out.push({
        source: 'dc09-receiver',
        id: `${uplink}/${r.name}`,
        offsetMs: r.clockOffsetMs,
        basis: "receiver's time from a NAK that corrected our timestamp (0 while it never did; see cloud-bridge/uplinks/dc09/SPEC.md)",
      })
    }
  }
  return out
}

/**
 * The clock offsets the walk test saw: a camera's as its adapter last measured it, else each
 * device's latest test event that carried its time; each DC-09 receiver's from the uplink's health. Contact ID relayed by a receiver's automation
 * port carries no panel time, so a panel's clock cannot be compared: that is noted.
 */
export function clockReport(o: {
  at: number
  points: readonly Point[]
  steps(key: string): readonly StepDone[]
  devices: readonly DeviceConfig[]
  uplinks: ReadonlyArray<{ id: string; type: string; health?: Record<string, unknown> | undefined }>
  /** The offset the device's adapter measured (ONVIF: `health().info.clockOffsetMs`), if any. */
  measured(device: string): number | undefined
}): ClockReport {
  const offsets: ClockOffset[] = []
  const notes: string[] = []
  const seen = new Set<string>()
  for (const p of o.points) {
    if (seen.has(p.device)) continue
    const measured = o.measured(p.device)
    if (measured !== undefined) {
      seen.add(p.device)
      offsets.push({ source: 'camera', id: p.device, offsetMs: measured, basis: MEASURED_BASIS })
      continue
    }
    const latest = o.points
      .filter((q) => q.device === p.device)
      .flatMap((q) => o.steps(q.key))
      .filter((s) => s.clockOffsetMs !== undefined)
      .sort((a, b) => a.at.localeCompare(b.at))
      .pop()
    if (!latest) continue
    seen.add(p.device)
    offsets.push({
      source: latest.clockBasis === 'onvif-measured' ? 'camera' : 'device',
      id: p.device,
      offsetMs: latest.clockOffsetMs!,
      basis: BASIS[latest.clockBasis!],
    })
  }
  for (const d of o.devices) {
    if (seen.has(d.id) || !o.points.some((p) => p.device === d.id)) continue
    notes.push(`${d.id}: ${NO_TIME[d.adapter] ?? "no test event carried the device's own time"}; its clock was not compared`)
  }
  for (const u of o.uplinks) if (u.type === 'dc09') offsets.push(...receiverOffsets(u.id, u.health))
  return { gatewayAt: new Date(o.at).toISOString(), offsets, notes }
}
