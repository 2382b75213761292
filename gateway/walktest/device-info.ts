import type { DeviceConfig } from '../../config/devices.js'

/** Where a device's identity came from: its adapter's `health().info`, its retained state, or nowhere yet. */
export type InfoSource = 'health' | 'state' | 'none'

export interface Identity {
  firmware?: string
  serial?: string
  model?: string
  vendor?: string
}

/** A device as the report lists it; `parts` are the readers of an OSDP bus (each has its own identity). */
export interface DeviceReportEntry extends Identity {
  id: string
  name: string
  adapter: string
  kind: string
  source: InfoSource
  parts?: Array<Identity & { name: string }>
}

/** The names adapters use for the same thing (ONVIF's GetDeviceInformation, OSDP's osdp_PDID). */
const ALIASES: ReadonlyArray<[keyof Identity, readonly string[]]> = [
  ['firmware', ['firmware', 'firmwareVersion']],
  ['serial', ['serial', 'serialNumber']],
  ['model', ['model']],
  ['vendor', ['vendor', 'manufacturer']],
]

function identityOf(info: Record<string, unknown>): Identity {
  const out: Identity = {}
  for (const [field, names] of ALIASES) {
    for (const n of names) {
      const v = info[n]
      if (typeof v === 'string' && v !== '') out[field] = v
      else if (typeof v === 'number' && Number.isFinite(v)) out[field] = String(v)
      if (out[field] !== undefined) break
    }
  }
  return out
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/**
 * The report's entry for a device from what is known of it. OSDP keeps each reader's identity
 * under `readers` by door (adapters/osdp/adapter.ts): those become parts.
 */
export function deviceEntry(cfg: DeviceConfig, info: Record<string, unknown> | undefined, source: InfoSource): DeviceReportEntry {
  const entry: DeviceReportEntry = { id: cfg.id, name: cfg.name ?? cfg.id, adapter: cfg.adapter, kind: cfg.kind, source, ...(info ? identityOf(info) : {}) }
  const readers = info?.['readers']
  if (isRecord(readers)) {
    const parts = Object.entries(readers)
      .filter(([, r]) => isRecord(r))
      .map(([name, r]) => ({ name, ...identityOf(r as Record<string, unknown>) }))
    if (parts.length > 0) entry.parts = parts
  }
  return entry
}
