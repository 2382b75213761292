import type { GatewayConfig } from '../config/schema.js'
import type { EmitResult } from '../adapters/types.js'
import { readStoredSnapshot } from '../adapters/onvif/snapshot-store.js'
import { Forwarder } from '../cloud-bridge/forwarder.js'
import { MqttUplink } from '../cloud-bridge/uplinks/mqtt.js'
import { Dc09Uplink } from '../cloud-bridge/uplinks/dc09/dc09-uplink.js'
import type { Uplink } from '../cloud-bridge/uplink.js'
import { createLogger, type Logger } from './log.js'
import type { EventInput, GatewayEvent } from './events/event.js'
import { topics } from './events/topics.js'
import { Journal } from './journal/journal.js'
import { IngestGate } from './broker/ingest-gate.js'
import { LocalBroker, type BrokerUser } from './broker/broker.js'
import { hashPassword } from './broker/passwords.js'
import { DeviceStates } from './device-states.js'
import { IngestSupervisor } from './ingest-supervisor.js'
import { startApi, type ApiServer } from './api/server.js'
import { buildStatus, type GatewayStatus } from './status.js'
import { Emitter } from './emit.js'
import { AdapterHost } from './adapter-host.js'
import { CommandWiring } from './command-wiring.js'
import { StatusPublisher } from './status-publisher.js'

export { GATEWAY_DEVICE } from './emit.js'

export interface GatewayOptions {
  log?: Logger
  now?: () => number
}

export interface Gateway {
  readonly config: GatewayConfig
  readonly brokerPort: number
  readonly apiPort: number
  readonly journal: Journal
  status(): Promise<GatewayStatus>
  /** Emits an event as the given configured device would, through the same path as its adapter. */
  emitAs(device: string, input: EventInput): Promise<EmitResult>
  stop(): Promise<void>
}

async function brokerUsers(config: GatewayConfig): Promise<BrokerUser[]> {
  return Promise.all(config.broker.users.map(async (u) => ({
    username: u.username,
    passwordHash: u.passwordHash ?? (await hashPassword(u.password ?? '')),
    role: u.role,
    devices: u.devices,
  })))
}

/**
 * The composition root: opens the journal, starts the broker, the uplinks and their forwarders,
 * the adapters and the API, and stops them in the reverse order (intake first, then flush).
 */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? createLogger({ level: config.log.level })
  const now = options.now ?? Date.now
  const startedAt = now()
  const site = config.site.id
  const journal = await Journal.open({
    path: config.journal.path,
    maxRows: config.journal.maxRows,
    maxBytes: config.journal.maxBytes,
    maxAgeMs: config.journal.maxAgeDays * 86_400_000,
    spareBytes: config.journal.spareBytes,
    batchMaxEvents: config.journal.batchMaxEvents,
    uplinks: config.uplinks.map((u) => u.id),
    log: log.child({ component: 'journal' }),
    now,
  })
  const emitter = new Emitter(config, journal, now, log)
  const gatewayEvent = (input: EventInput) => emitter.gatewayEvent(input)

  // Local broker: ingest gate, ACL, retained state.
  const brokerLog = log.child({ component: 'broker' })
  const ingestDevices = new Map([...emitter.identities].filter(([id]) => config.devices.find((d) => d.id === id)?.adapter === 'mqtt-ingest'))
  const gate = new IngestGate({
    devices: ingestDevices,
    maxPayloadBytes: config.broker.maxIngestPayloadBytes,
    newId: () => emitter.newId(),
    now,
    commit: (input) => journal.append(input),
    reportRejection: async (r) => {
      await gatewayEvent({ type: 'ingest.rejected', attrs: { producer: r.producer, device: r.device, reason: r.reason } })
    },
    log: brokerLog.child({ part: 'ingest' }),
  })
  const broker = new LocalBroker({
    site, host: config.broker.host, port: config.broker.port, allowAnonymous: config.broker.allowAnonymous,
    users: await brokerUsers(config), gate, log: brokerLog,
  })
  const brokerPort = await broker.start()

  const supervisor = new IngestSupervisor(
    config.devices.flatMap((d) => (d.adapter === 'mqtt-ingest' && d.supervisionMs !== undefined ? [{ id: d.id, supervisionMs: d.supervisionMs }] : [])),
    (device, input) => emitter.emitAs(device, input).catch((err) => log.error({ device, err }, 'cannot record supervision event')),
    now,
  )
  const states = new DeviceStates((device, s) => void broker.publish(topics.state(site, device), JSON.stringify(s), 1, true), now)
  for (const d of config.devices) states.register(d.id, d.kind, d.name)
  let host: AdapterHost | undefined
  journal.on('committed', (rows, events: GatewayEvent[]) => {
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!
      host?.committed(ev)
      supervisor.seen(ev.device, ev.type)
      // State after its event: aedes 1.2 drops one of two QoS 1 publishes to the same subscriber
      // when a retained one is stored concurrently (seen with event/# and state/+ subscribed).
      void broker.publish(topics.event(site, ev.kind, ev.device), rows[i]!.body, 1, false).then(() => states.seen(ev), () => states.seen(ev))
    }
  })
  journal.on('evicted', (r) => {
    if (r.undelivered > 0) log.error({ report: r }, 'journal evicted undelivered events')
    void gatewayEvent({ type: 'journal.evicted', attrs: { ...r } })
  })
  // Recorded once the journal commits again: recording it while full would be one more commit
  // that fails (the journal logs the moment it fills, and reports it in its status meanwhile).
  journal.on('recovered', (s) => void gatewayEvent({ type: 'journal.full', attrs: { ...s } }))

  // Uplinks and their forwarders.
  const siteInfo = { ...(config.site.coordinates ? { coordinates: config.site.coordinates } : {}), deviceNames: new Map(config.devices.map((d) => [d.id, d.name ?? d.id])) }
  const uplinks: Uplink[] = config.uplinks.map((u) => {
    const ulog = log.child({ component: 'uplink', uplink: u.id })
    if (u.type === 'mqtt') return new MqttUplink(u, site, ulog)
    return new Dc09Uplink(u, { site: siteInfo, log: ulog, report: (type, attrs) => void gatewayEvent({ type, attrs }) })
  })
  const forwarders = uplinks.map((uplink, i) => new Forwarder({
    uplink, outbox: journal, now,
    maxAttempts: config.uplinks[i]!.maxAttempts,
    log: log.child({ component: 'forwarder', uplink: uplink.id }),
    onParked: (row, reason) => void gatewayEvent({ type: 'uplink.parked', attrs: { uplink: uplink.id, event: row.id, device: row.device, reason } }),
  }))

  const adapters = await AdapterHost.create({
    devices: config.devices, log, now,
    emit: (device, input) => emitter.emitAs(device, input),
    setState: (device, patch) => states.set(device, patch),
  })
  host = adapters
  const commands = await CommandWiring.start({ site, path: config.journal.path, broker, uplinks, targets: adapters.targets, now, log: log.child({ component: 'commands' }) })

  const status = () => buildStatus({ site, startedAt, now, journal, forwarders, uplinks, states, broker, gate, adapters: adapters.adapters })
  const statusPublisher = new StatusPublisher({ site, broker, uplinks, uplinkConfigs: config.uplinks, status, log })
  statusPublisher.start()

  let api: ApiServer
  try {
    api = await startApi({
      host: config.api.host, port: config.api.port, tokens: config.api.tokens, open: config.api.open,
      log: log.child({ component: 'api' }),
      ready: () => ({ ready: !stopping, reasons: stopping ? ['stopping'] : [] }),
      status,
      snapshot: (id) => readStoredSnapshot(config.devices, id),
    })
  } catch (err) {
    await broker.stop()
    await commands.close()
    await journal.close()
    throw err
  }

  let stopping = false
  supervisor.start()
  for (const u of uplinks) u.start()
  for (const f of forwarders) f.start()
  adapters.start()
  await gatewayEvent({ type: 'gateway.started', attrs: { version: process.env['npm_package_version'] ?? '0.1.0', devices: config.devices.length } })
  await statusPublisher.publish()
  log.info({ site, brokerPort, apiPort: api.port, devices: config.devices.length, uplinks: uplinks.length }, 'gateway started')

  return {
    config, brokerPort, apiPort: api.port, journal,
    status,
    emitAs: (device, input) => emitter.emitAs(device, input),
    async stop() {
      if (stopping) return
      stopping = true
      log.info('gateway stopping')
      statusPublisher.stop()
      supervisor.stop()
      // Intake first: adapters stop reading devices, the broker stops taking producers; the broker
      // lets its commits in flight finish and acknowledges them before it closes a connection.
      await adapters.stop()
      await broker.stop()
      await commands.stop()
      await gatewayEvent({ type: 'gateway.stopped' })
      // Then what is in flight to the platform, then the journal, then the links.
      await Promise.allSettled(forwarders.map((f) => f.stop()))
      await journal.close()
      await Promise.allSettled(uplinks.map((u) => u.stop()))
      await api.close()
      log.info('gateway stopped')
    },
  }
}
