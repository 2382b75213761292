import { Registry, collectDefaultMetrics } from 'prom-client'
import type { Journal } from '../journal/journal.js'
import { stateCounter, stateGauge } from './define.js'
import { journalMetrics } from './journal-metrics.js'
import { uplinkMetrics } from './uplink-metrics.js'
import { deviceMetrics } from './device-metrics.js'
import type { MetricsSources } from './sources.js'

export type { MetricsSources } from './sources.js'

/**
 * prom-client's sums of its labelled `nodejs_active_*` gauges are gauges named `_total`, which
 * `promtool check metrics` rejects (a `_total` suffix is for counters); the labelled gauges stay.
 */
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways may run in one
 * process, in tests). Created right after the journal opens, so its counters see every commit;
 * the other parts are attached once started.
 */
export class GatewayMetrics {
  private readonly registry = new Registry()
  private sources: MetricsSources | undefined
  private readonly detach: () => void
  private readonly uplinks: { refresh(): Promise<void> }

  constructor(journal: Pick<Journal, 'on' | 'off' | 'stats'>, maxRows: number) {
    collectDefaultMetrics({ register: this.registry })
    for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name)
    this.detach = journalMetrics(this.registry, journal, maxRows)
    this.partMetrics()
    this.uplinks = uplinkMetrics(this.registry, () => this.sources?.uplinks ?? [])
    deviceMetrics(this.registry, () => this.sources)
  }

  get contentType(): string {
    return this.registry.contentType
  }

  attach(sources: MetricsSources): void {
    this.sources = sources
  }

  /** The text exposition of every metric now. */
  async scrape(): Promise<string> {
    await this.uplinks.refresh()
    return this.registry.metrics()
  }

  /** Stops counting the journal's events. */
  close(): void {
    this.detach()
  }

  private partMetrics(): void {
    const r = this.registry
    stateCounter(r, {
      name: 'pingan_ingest_accepted_total',
      help: "Third-party producers' events committed through the ingest gate.",
      read: () => [[{}, this.sources?.gate.accepted ?? 0]],
    })
    stateCounter(r, {
      name: 'pingan_ingest_rejected_total',
      help: "Third-party producers' payloads refused by the ingest gate, by reason.",
      labelNames: ['reason'],
      read: () => [...(this.sources?.gate.rejectedBy ?? [])].map(([reason, n]) => [{ reason }, n]),
    })
    stateGauge(r, {
      name: 'pingan_broker_clients',
      help: 'Clients connected to the local broker.',
      read: () => [[{}, this.sources?.broker.connectedClients() ?? 0]],
    })
    stateCounter(r, {
      name: 'pingan_broker_refused_total',
      help: 'Logins, publishes and subscribes the local broker refused.',
      labelNames: ['what'],
      read: () => {
        const b = this.sources?.broker
        return b
          ? [
              [{ what: 'login' }, b.refusedLogins],
              [{ what: 'publish' }, b.refusedPublishes],
              [{ what: 'subscribe' }, b.refusedSubscribes],
            ]
          : []
      },
    })
    stateCounter(r, {
      name: 'pingan_broker_cut_connections_total',
      help: 'Connections the local broker cut (oversized or abusive packets).',
      read: () => [[{}, this.sources?.broker.cutConnections ?? 0]],
    })
  }
}
