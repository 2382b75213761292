import type { DeviceIssue } from '../adapters/device-base.js'
import { ADAPTERS } from '../adapters/registry.js'

type Loose = Record<string, unknown>

/**
 * Settings a device's adapter would ignore, and what it uses instead. A setting accepted and then
 * ignored is worse than a refusal: the installer believes the device is supervised.
 */
const IGNORED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  osdp: { supervisionMs: 'OSDP readers are supervised by their poll replies: set offlineAfterMs (a reader silent this long is offline)' },
  modbus: {
    supervisionMs: 'Modbus units are supervised by their polls: set pollIntervalMs and offlineAfterMisses (missed polls in a row before device.offline)',
  },
}

/** Every rule about one device that its adapter's own schema does not see (read loosely: see cross-checks.ts). */
export function deviceRuleIssues(d: Loose): DeviceIssue[] {
  const adapter = d['adapter']
  if (typeof adapter !== 'string') return []
  const out: DeviceIssue[] = []
  for (const [key, instead] of Object.entries(IGNORED[adapter] ?? {})) {
    if (d[key] !== undefined) out.push({ path: [key], message: `${adapter} devices do not use ${key}. ${instead}` })
  }
  out.push(...(ADAPTERS[adapter]?.deviceIssues?.(d) ?? []))
  return out
}
