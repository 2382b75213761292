import type { ForwarderStatus } from '../../cloud-bridge/forwarder.js'
import type { Uplink } from '../../cloud-bridge/uplink.js'
import type { Adapter } from '../../adapters/types.js'
import type { IngestRefusalCode } from '../broker/ingest-gate.js'

/** What the metrics read of an adapter: `health()` where the adapter has it, else `stats()`. */
export type MetricsAdapter = Pick<Adapter, 'health' | 'stats'>

/** One uplink and the forwarder that feeds it. */
export interface MetricsUplink {
  uplink: Pick<Uplink, 'id' | 'state' | 'health'>
  status(): Promise<ForwarderStatus>
}

/**
 * The parts of a running gateway the metrics read at scrape time. Given once they exist (the
 * journal's counters are wired before, so nothing committed meanwhile is missed).
 */
export interface MetricsSources {
  gate: { readonly accepted: number; readonly rejectedBy: ReadonlyMap<IngestRefusalCode, number> }
  broker: {
    connectedClients(): number
    readonly refusedLogins: number
    readonly refusedPublishes: number
    readonly refusedSubscribes: number
    readonly cutConnections: number
  }
  uplinks: readonly MetricsUplink[]
  /** Every configured device with its retained state. */
  devices(): ReadonlyArray<{ device: string; kind: string; online: boolean }>
  /** The running adapters by device id. */
  adapters: ReadonlyMap<string, MetricsAdapter>
}
