import type { GatewayConfig } from '../config/schema.js'
import { readSnapshot } from '../adapters/registry.js'
import type { Adapter } from '../adapters/types.js'
import type { Forwarder } from '../cloud-bridge/forwarder.js'
import type { Uplink } from '../cloud-bridge/uplink.js'
import type { Logger } from '../base/log.js'
import type { Journal } from './journal/journal.js'
import type { DeviceStates } from './device-states.js'
import type { CommandWiring } from './command-wiring.js'
import { startApi, type ApiDeps, type ApiServer } from './api/server.js'
import { EventQuery } from './api/event-query.js'
import { LiveHub } from './api/live/hub.js'
import { DeviceViews } from './api/views/device-view.js'
import { LinkRates } from './api/views/link-rates.js'
import { uplinksView } from './api/views/uplinks-view.js'

/** How often link counters are read for the per-minute figures. */
const LINK_SAMPLE_MS = 10_000

export interface ApiWiringOptions {
  config: GatewayConfig
  log: Logger
  now(): number
  journal: Journal
  states: DeviceStates
  adapters: ReadonlyMap<string, Adapter>
  commands: CommandWiring
  uplinks: readonly Uplink[]
  forwarders: readonly Forwarder[]
  ready: ApiDeps['ready']
  status: ApiDeps['status']
  /** What other parts serve through the API (metrics, walk tests). */
  extra?: Pick<ApiDeps, 'metrics' | 'walktests'>
}

/**
 * The API's view of the running gateway: device views with link rates, the journal's read side,
 * the live stream (fed by the fan-out and the device states from the start) and the server.
 */
export class ApiWiring {
  /** Committed events and state changes go here from the moment the gateway starts. */
  readonly live: LiveHub

  constructor(log: Logger) {
    this.live = new LiveHub({ log: log.child({ component: 'api', part: 'live' }) })
  }
  private events: EventQuery | undefined
  private sampler: NodeJS.Timeout | undefined
  private server: ApiServer | undefined

  async start(o: ApiWiringOptions): Promise<ApiServer> {
    const { config, now } = o
    const walktests = o.extra?.walktests
    walktests?.on('update', (view) => this.live.publish('walktest', view))
    const devices = new DeviceViews(
      {
        devices: config.devices,
        siteGrid: config.site.grid,
        now,
        state: (id) => o.states.get(id),
        adapter: (id) => o.adapters.get(id),
        onTest: (id) => {
          const w = walktests?.current()
          return w?.state === 'running' && w.points.some((p) => p.device === id)
        },
      },
      new LinkRates(),
    )
    devices.sampleLinks()
    this.sampler = setInterval(() => devices.sampleLinks(), LINK_SAMPLE_MS).unref()
    this.events = config.journal.path === ':memory:' ? undefined : await EventQuery.open(config.journal.path)
    this.server = await startApi({
      api: config.api,
      now,
      log: o.log.child({ component: 'api' }),
      ready: o.ready,
      status: o.status,
      snapshot: (id) => readSnapshot(config.devices, id),
      ...o.extra,
      devices,
      live: this.live,
      config,
      ...(this.events ? { events: this.events } : {}),
      commands: { sender: o.commands, devices: new Set(config.devices.map((d) => d.id)) },
      uplinks: () =>
        uplinksView({
          uplinks: o.uplinks,
          forwarders: o.forwarders,
          types: config.uplinks.map((u) => u.type),
          journal: o.journal,
          journalPath: config.journal.path,
          maxRows: config.journal.maxRows,
        }),
    })
    return this.server
  }

  async stop(): Promise<void> {
    clearInterval(this.sampler)
    await this.server?.close()
    await this.events?.close()
  }
}
