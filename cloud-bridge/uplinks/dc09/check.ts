import { EVENT_TYPES, type Kind, type Priority } from '../../../base/events/types.js'
import type { Dc09UplinkConfig } from './config.js'
import { codeFor, routed } from './message.js'
import { supervisionSummary } from './supervision.js'

/** The event types a device of `kind` could send to this uplink: routed and with a code. */
export function sendableTypes(cfg: Dc09UplinkConfig, device: string, kind: Kind): string[] {
  return Object.entries(EVENT_TYPES[kind])
    .filter(([type, priority]) => routed(cfg, { kind, priority: priority as Priority }) && codeFor(cfg, device, type) !== null)
    .map(([type]) => type)
}

/**
 * What `pingan check` says about a DC-09 uplink: each path's supervision (and the EN 50136-1
 * category it meets), and the devices that would send the centre nothing.
 */
export function dc09CheckReport(
  cfg: Dc09UplinkConfig,
  devices: ReadonlyArray<{ id: string; kind: Kind }>,
  at: string,
): { info: string[]; warnings: Array<{ path: string; message: string }> } {
  const warnings = devices
    .filter((d) => sendableTypes(cfg, d.id, d.kind).length === 0)
    .map((d) => ({
      path: at,
      message: `device ${d.id} (${d.kind}) would send nothing to ${cfg.id}: none of its event types has a code within route.maxPriority ${cfg.route.maxPriority}${cfg.route.kinds ? ` and kinds ${cfg.route.kinds.join(',')}` : ''}; add codes or widen route`,
    }))
  return { info: supervisionSummary(cfg), warnings: [...warnings, ...accountWarnings(cfg, at)] }
}

/** Receivers accept 3-16 hex digits, but most expect 4-8: a valid account outside that is worth a look. */
function accountWarnings(cfg: Dc09UplinkConfig, at: string): Array<{ path: string; message: string }> {
  const accounts: Array<[string, string | undefined]> = [
    [`${at}.account`, cfg.account],
    ...cfg.paths.flatMap((p, i) => p.receivers.map((r, j): [string, string | undefined] => [`${at}.paths.${i}.receivers.${j}.account`, r.account])),
    ...Object.entries(cfg.devices).map(([id, d]): [string, string | undefined] => [`${at}.devices.${id}.account`, d.account]),
  ]
  return accounts
    .filter(([, a]) => a !== undefined && (a.length < 4 || a.length > 8))
    .map(([path, a]) => ({ path, message: `account "${a}" has ${a!.length} digits: most receivers expect 4 to 8; check with the centre` }))
}
