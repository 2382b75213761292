import type { GatewayConfig } from '../config/schema.js'
import { Forwarder } from '../cloud-bridge/forwarder.js'
import { MqttUplink } from '../cloud-bridge/uplinks/mqtt.js'
import { Dc09Uplink } from '../cloud-bridge/uplinks/dc09/dc09-uplink.js'
import type { Uplink } from '../cloud-bridge/uplink.js'
import type { Logger } from '../base/log.js'
import type { Faults } from '../base/faults.js'
import type { EventInput } from '../base/events/event.js'
import type { Journal } from './journal/journal.js'

/**
 * The configured uplinks, each with the forwarder that feeds it from the journal (not started).
 * `onDelivered` hears of every event an uplink acknowledged (a walk test's path check).
 */
export function buildUplinks(
  config: GatewayConfig,
  journal: Journal,
  now: () => number,
  log: Logger,
  gatewayEvent: (input: EventInput) => Promise<void>,
  faults?: Faults,
  onDelivered?: (uplink: string, event: string) => void,
): { uplinks: Uplink[]; forwarders: Forwarder[] } {
  const site = config.site.id
  const siteInfo = {
    ...(config.site.coordinates ? { coordinates: config.site.coordinates } : {}),
    deviceNames: new Map(config.devices.map((d) => [d.id, d.name ?? d.id])),
  }
  const uplinks: Uplink[] = config.uplinks.map((u) => {
    const ulog = log.child({ component: 'uplink', uplink: u.id })
    if (u.type === 'mqtt') return new MqttUplink(u, site, ulog)
    return new Dc09Uplink(u, { site: siteInfo, log: ulog, report: (type, attrs) => void gatewayEvent({ type, attrs }) })
  })
  const forwarders = uplinks.map(
    (uplink, i) =>
      new Forwarder({
        uplink,
        outbox: journal,
        now,
        ...(faults ? { faults } : {}),
        maxAttempts: config.uplinks[i]!.maxAttempts,
        log: log.child({ component: 'forwarder', uplink: uplink.id }),
        onParked: (row, reason) => void gatewayEvent({ type: 'uplink.parked', attrs: { uplink: uplink.id, event: row.id, device: row.device, reason } }),
        ...(onDelivered ? { onDelivered: (row: { id: string }) => onDelivered(uplink.id, row.id) } : {}),
      }),
  )
  return { uplinks, forwarders }
}
