import type { GatewayConfig } from '../../config/schema.js'
import type { Adapter } from '../../adapters/types.js'
import type { Uplink } from '../../cloud-bridge/uplink.js'
import type { Logger } from '../../base/log.js'
import type { Emitter } from '../emit.js'
import type { DeviceStates } from '../device-states.js'
import type { Timers } from '../../base/timers.js'
import { ReportStore, reportsDirFor } from './store.js'
import { WalkTests } from './walk-tests.js'
import type { InfoSource } from './device-info.js'

export interface WalkTestWiring {
  config: GatewayConfig
  timers: Timers
  log: Logger
  emitter: Emitter
  adapters: ReadonlyMap<string, Pick<Adapter, 'health'>>
  states: DeviceStates
  uplinks: readonly Uplink[]
}

/** What is known of a device: its adapter's `health().info` when it has any, else its retained state. */
function deviceInfo(w: WalkTestWiring, device: string): { info: Record<string, unknown>; source: InfoSource } | undefined {
  const info = w.adapters.get(device)?.health?.().info
  if (info && Object.keys(info).length > 0) return { info: { ...info }, source: 'health' }
  const state = w.states.get(device)
  return state ? { info: { ...state }, source: 'state' } : undefined
}

/** The gateway's walk tests, wired to its emitter, adapters, device states and uplinks; ends one a crash interrupted. */
export function startWalkTests(w: WalkTestWiring): WalkTests {
  const log = w.log.child({ component: 'walktest' })
  const walktests = new WalkTests({
    site: { id: w.config.site.id, name: w.config.site.name },
    devices: w.config.devices,
    uplinks: w.config.uplinks.map((u) => ({ id: u.id, type: u.type })),
    timers: w.timers,
    newId: () => w.emitter.newId(),
    gatewayEvent: (input) => w.emitter.gatewayEvent(input),
    deviceInfo: (device) => deviceInfo(w, device),
    uplinkHealth: (id) => w.uplinks.find((u) => u.id === id)?.health?.(),
    store: new ReportStore(reportsDirFor(w.config.journal.path, w.config.site.id), log),
    log,
  })
  // A test the gateway was running when it last went down ends now, towards the uplinks.
  void walktests.recover()
  return walktests
}
