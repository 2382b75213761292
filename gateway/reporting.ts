import type { Logger } from '../base/log.js'
import type { Uplink } from '../cloud-bridge/uplink.js'
import type { Forwarder } from '../cloud-bridge/forwarder.js'
import type { GatewayConfig } from '../config/schema.js'
import type { AdapterHost } from './adapter-host.js'
import type { LocalBroker } from './broker/broker.js'
import type { IngestGate } from './broker/ingest-gate.js'
import type { DeviceStates } from './device-states.js'
import type { Journal } from './journal/journal.js'
import type { GatewayMetrics } from './metrics/metrics.js'
import { buildStatus, type GatewayStatus } from './status.js'
import { StatusPublisher } from './status-publisher.js'

export interface ReportingParts {
  config: GatewayConfig
  startedAt: number
  now(): number
  log: Logger
  journal: Journal
  metrics: GatewayMetrics
  broker: LocalBroker
  gate: IngestGate
  states: DeviceStates
  adapters: AdapterHost
  uplinks: Uplink[]
  forwarders: Forwarder[]
}

/**
 * What the gateway says about itself, from the same parts: the status (`gateway/status`, retained
 * and on each uplink, and the API's /status) and the Prometheus metrics. The publisher is started.
 */
export function startReporting(p: ReportingParts): { status: () => Promise<GatewayStatus>; statusPublisher: StatusPublisher } {
  const { config, journal, forwarders, uplinks, states, broker, gate } = p
  p.metrics.attach({
    gate,
    broker,
    adapters: p.adapters.adapters,
    devices: () => states.all(),
    uplinks: uplinks.map((uplink, i) => ({ uplink, status: () => forwarders[i]!.status() })),
  })
  const site = config.site.id
  const status = () =>
    buildStatus({ site, startedAt: p.startedAt, now: p.now, journal, forwarders, uplinks, states, broker, gate, adapters: p.adapters.adapters })
  const statusPublisher = new StatusPublisher({ site, broker, uplinks, uplinkConfigs: config.uplinks, status, log: p.log })
  statusPublisher.start()
  return { status, statusPublisher }
}
