import type { Journal, JournalStats } from './journal/journal.js'
import type { Forwarder, ForwarderStatus } from '../cloud-bridge/forwarder.js'
import type { Uplink, UplinkHealth } from '../cloud-bridge/uplink.js'
import type { DeviceStates } from './device-states.js'
import type { LocalBroker } from './broker/broker.js'
import type { IngestGate } from './broker/ingest-gate.js'
import type { Adapter, AdapterHealth, AdapterStats } from '../adapters/types.js'

/** What `gateway/status` (retained, local and on the platform) and `/api/v1/status` carry. */
export interface GatewayStatus {
  site: string
  online: true
  startedAt: string
  at: string
  uptimeSec: number
  /** `link`: what the uplink itself knows (DC-09: the active path, each receiver's clock offset). */
  uplinks: Record<string, ForwarderStatus & { link?: UplinkHealth }>
  journal: JournalStats
  /**
   * `stats`: each device's adapter counters (errors, drops, retries), for devices whose adapter keeps
   * them; `health`: each in-process adapter's `health()` (online, last seen, link statistics, info).
   */
  devices: { total: number; online: number; offline: string[]; stats: Record<string, AdapterStats>; health: Record<string, AdapterHealth> }
  broker: { clients: number; refusedLogins: number; refusedPublishes: number; refusedSubscribes: number; cutConnections: number }
  /** `inflight`/`peakInflight`: publishes admitted and not yet answered (bounded); `waiting`: read, waiting for room. */
  ingest: { accepted: number; rejected: number; inflight: number; peakInflight: number; waiting: number; deferred: number }
  memoryRssBytes: number
}

export interface StatusSources {
  site: string
  startedAt: number
  now(): number
  journal: Journal
  forwarders: Forwarder[]
  uplinks: Uplink[]
  states: DeviceStates
  /** The running adapters by device id, asked for their counters and health. */
  adapters: ReadonlyMap<string, Pick<Adapter, 'stats' | 'health'>>
  broker: LocalBroker
  gate: IngestGate
}

export async function buildStatus(s: StatusSources): Promise<GatewayStatus> {
  const now = s.now()
  const uplinks: GatewayStatus['uplinks'] = {}
  for (let i = 0; i < s.forwarders.length; i++) {
    const uplink = s.uplinks[i]!
    const link = uplink.health?.()
    uplinks[uplink.id] = { ...(await s.forwarders[i]!.status()), ...(link !== undefined ? { link } : {}) }
  }
  const devices = s.states.all()
  return {
    site: s.site,
    online: true,
    startedAt: new Date(s.startedAt).toISOString(),
    at: new Date(now).toISOString(),
    uptimeSec: Math.round((now - s.startedAt) / 1000),
    uplinks,
    journal: s.journal.stats(),
    devices: {
      total: devices.length,
      online: devices.filter((d) => d.online).length,
      offline: devices.filter((d) => !d.online).map((d) => d.device),
      stats: collect(s.adapters, (a) => a.stats?.()),
      health: collect(s.adapters, (a) => a.health?.()),
    },
    broker: {
      clients: s.broker.connectedClients(),
      refusedLogins: s.broker.refusedLogins,
      refusedPublishes: s.broker.refusedPublishes,
      refusedSubscribes: s.broker.refusedSubscribes,
      cutConnections: s.broker.cutConnections,
    },
    ingest: {
      accepted: s.gate.accepted,
      rejected: s.gate.rejected,
      inflight: s.broker.ingest.inflight,
      peakInflight: s.broker.ingest.peakInflight,
      waiting: s.broker.ingest.waiting,
      deferred: s.broker.ingest.deferred,
    },
    memoryRssBytes: process.memoryUsage.rss(),
  }
}

/** What each running adapter answers to `ask`, by device id; adapters without the method are left out. */
function collect<T>(adapters: StatusSources['adapters'], ask: (a: Pick<Adapter, 'stats' | 'health'>) => T | undefined): Record<string, T> {
  const out: Record<string, T> = {}
  for (const [device, a] of adapters) {
    const v = ask(a)
    if (v !== undefined) out[device] = v
  }
  return out
}
