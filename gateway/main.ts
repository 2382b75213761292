import type { GatewayConfig } from '../config/schema.js'
import { createLogger } from '../base/log.js'
import type { EventInput } from '../base/events/event.js'
import { topics } from '../base/events/topics.js'
import { openJournal } from './journal/from-config.js'
import { DeviceStates } from './device-states.js'
import type { ApiServer } from './api/server.js'
import { ApiWiring } from './api-wiring.js'
import { startReporting } from './reporting.js'
import type { Gateway, GatewayOptions } from './gateway.js'
import { Emitter } from './emit.js'
import { AdapterHost } from './adapter-host.js'
import { CommandWiring } from './command-wiring.js'
import { startBrokerIntake } from './intake.js'
import { wireFanOut } from './fan-out.js'
import { writeMessageIdsWithoutTable } from './mqtt-packets.js'
import { buildUplinks } from './uplinks.js'
import { GatewayMetrics } from './metrics/metrics.js'
import { startWalkTests } from './walktest/wiring.js'
import { SYSTEM_TIMERS } from '../base/timers.js'
import type { WalkTests } from './walktest/walk-tests.js'

export type { Gateway, GatewayOptions } from './gateway.js'

/**
 * The composition root: opens the journal, starts the broker, the uplinks and their forwarders,
 * the adapters and the API, and stops them in the reverse order (intake first, then flush).
 */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger({ level: config.log.level })
  writeMessageIdsWithoutTable()
  const now = options.now ?? Date.now
  const startedAt = now()
  const site = config.site.id
  const journal = await openJournal(config, now, log, options.faults)
  const metrics = new GatewayMetrics(journal, config.journal.maxRows)
  let walktests: WalkTests | undefined
  const emitter = new Emitter(config, journal, now, log, (ev) => walktests?.mark(ev))
  const gatewayEvent = (input: EventInput) => emitter.gatewayEvent(input)

  const { broker, gate, port: brokerPort } = await startBrokerIntake(config, journal, emitter, now, log)
  const apiWiring = new ApiWiring(log)
  const states = new DeviceStates((device, s) => {
    void broker.publish(topics.state(site, device), JSON.stringify(s), 1, true)
    apiWiring.live.stateChanged(s)
  }, now)
  for (const d of config.devices) states.register(d.id, d.kind, d.name)
  let host: AdapterHost | undefined
  wireFanOut({
    site,
    journal,
    broker,
    states,
    recordGatewayEvent: (input) => emitter.recordGatewayEvent(input),
    log,
    consumers: [(ev) => host?.committed(ev), (ev) => walktests?.committed(ev), (ev) => apiWiring.live.committed(ev)],
  })
  const { uplinks, forwarders } = buildUplinks(config, journal, now, log, gatewayEvent, options.faults, (uplink, id) => walktests?.delivered(uplink, id))

  const adapters = await AdapterHost.create({
    devices: config.devices,
    log,
    now,
    emit: (device, input) => emitter.emitAs(device, input),
    setState: (device, patch) => states.set(device, patch),
  })
  host = adapters
  walktests = startWalkTests({
    config,
    timers: options.walktestTimers ?? { ...SYSTEM_TIMERS, now },
    log,
    emitter,
    adapters: adapters.adapters,
    states,
    uplinks,
  })
  const commands = await CommandWiring.start({
    site,
    path: config.journal.path,
    broker,
    uplinks,
    targets: adapters.targets,
    now,
    log: log.child({ component: 'commands' }),
  })

  const { status, statusPublisher } = startReporting({ config, startedAt, now, log, journal, metrics, broker, gate, states, adapters, uplinks, forwarders })

  let api: ApiServer
  try {
    api = await apiWiring.start({
      config,
      log,
      now,
      journal,
      states,
      adapters: adapters.adapters,
      commands,
      uplinks,
      forwarders,
      status,
      ready: () => ({ ready: !stopping, reasons: stopping ? ['stopping'] : [] }),
      extra: { metrics: { open: config.metrics.open, contentType: metrics.contentType, scrape: () => metrics.scrape() }, ...(walktests ? { walktests } : {}) },
    })
  } catch (err) {
    await apiWiring.stop()
    await broker.stop()
    await commands.close()
    await journal.close()
    throw err
  }

  let stopping = false
  adapters.startSupervision()
  for (const u of uplinks) u.start()
  for (const f of forwarders) f.start()
  adapters.start()
  await gatewayEvent({ type: 'gateway.started', attrs: { version: process.env['npm_package_version'] ?? '0.1.0', devices: config.devices.length } })
  await statusPublisher.publish()
  log.info({ site, brokerPort, apiPort: api.port, devices: config.devices.length, uplinks: uplinks.length }, 'gateway started')

  return {
    config,
    brokerPort,
    apiPort: api.port,
    journal,
    status,
    emitAs: (device, input) => emitter.emitAs(device, input),
    async stop() {
      if (stopping) return
      stopping = true
      log.info('gateway stopping')
      statusPublisher.stop()
      // Intake first: adapters stop reading devices, the broker stops taking producers; the broker
      // lets its commits in flight finish and acknowledges them before it closes a connection.
      await adapters.stop()
      await broker.stop()
      await commands.stop()
      await walktests?.stop()
      await gatewayEvent({ type: 'gateway.stopped' })
      // Then what is in flight to the platform, then the journal, then the links.
      await Promise.allSettled(forwarders.map((f) => f.stop()))
      await journal.close()
      metrics.close()
      await Promise.allSettled(uplinks.map((u) => u.stop()))
      await apiWiring.stop()
      log.info('gateway stopped')
    },
  }
}
