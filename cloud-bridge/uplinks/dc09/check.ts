import { EVENT_TYPES, type Kind, type Priority } from '../../../gateway/events/types.js'
import type { Dc09UplinkConfig } from './config.js'
import { codeFor, routed } from './message.js'
import { supervisionSummary } from './supervision.js'

/** The event types a device of `kind` could send to this uplink: routed and with a code. */
export function sendableTypes(cfg: Dc09UplinkConfig, device: string, kind: Kind): string[] {
  return Object.entries(EVENT_TYPES[kind]).filter(([type, priority]) =>
    routed(cfg, { kind, priority: priority as Priority }) && codeFor(cfg, device, type) !== null).map(([type]) => type)
}

/**
 * What `pingan check` says about a DC-09 uplink: each path's supervision (and the EN 50136-1
 * category it meets), and the devices that would send the centre nothing.
 */
export function dc09CheckReport(cfg: Dc09UplinkConfig, devices: ReadonlyArray<{ id: string; kind: Kind }>, at: string): { info: string[]; warnings: Array<{ path: string; message: string }> } {
  const warnings = devices
    .filter((d) => sendableTypes(cfg, d.id, d.kind).length === 0)
    .map((d) => ({
      path: at,
      message: `device ${d.id} (${d.kind}) would send nothing to ${cfg.id}: none of its event types has a code within route.maxPriority ${cfg.route.maxPriority}${cfg.route.kinds ? ` and kinds ${cfg.route.kinds.join(',')}` : ''}; add codes or widen route`,
    }))
  return { info: supervisionSummary(cfg), warnings }
}
