import type { GatewayConfig } from '../config/schema.js'
import type { DeviceConfig } from '../config/devices.js'
import { ADAPTERS } from '../adapters/registry.js'
import { isLinkable, type LinkableAdapter } from '../adapters/onvif/linkage.js'
import { readStoredSnapshot } from '../adapters/onvif/snapshot-store.js'
import type { Adapter, AdapterContext, EmitResult } from '../adapters/types.js'
import { Forwarder } from '../cloud-bridge/forwarder.js'
import { MqttUplink } from '../cloud-bridge/uplinks/mqtt.js'
import { Dc09Uplink } from '../cloud-bridge/uplinks/dc09/dc09-uplink.js'
import type { Uplink } from '../cloud-bridge/uplink.js'
import { createLogger, type Logger } from './log.js'
import { buildEvent, type DeviceIdentity, type EventInput, type GatewayEvent } from './events/event.js'
import { parseTopic, topics } from './events/topics.js'
import { UuidV7Generator } from './events/uuidv7.js'
import { Journal } from './journal/journal.js'
import { IngestGate } from './broker/ingest-gate.js'
import { LocalBroker, type BrokerUser } from './broker/broker.js'
import { hashPassword } from './broker/passwords.js'
import { CommandRouter, type CommandTarget } from './commands/router.js'
import { CommandResultStore } from './commands/result-store.js'
import { DeviceStates } from './device-states.js'
import { IngestSupervisor } from './ingest-supervisor.js'
import { startApi, type ApiServer } from './api/server.js'
import { buildStatus, type GatewayStatus } from './status.js'

/** The id gateway events carry as their device. */
export const GATEWAY_DEVICE = 'gateway'

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

function identityOf(config: GatewayConfig, d: { id: string; kind: DeviceIdentity['kind']; location: DeviceIdentity['location'] }): DeviceIdentity {
  const location = { ...d.location }
  if (location.grid === undefined && config.site.grid !== undefined) location.grid = config.site.grid
  return { site: config.site.id, device: d.id, kind: d.kind, location }
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
  const ids = new UuidV7Generator(now)
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

  const identities = new Map<string, DeviceIdentity>()
  for (const d of config.devices) identities.set(d.id, identityOf(config, d))
  const gatewayIdentity: DeviceIdentity = identityOf(config, { id: GATEWAY_DEVICE, kind: 'gateway', location: {} })

  const emitFor = async (who: DeviceIdentity, input: EventInput): Promise<EmitResult> => {
    const event = buildEvent(who, input, input.id ?? ids.next(), now())
    const r = await journal.append({ event, checkId: input.id !== undefined, dedupeKey: input.dedupeKey, dedupeWindowMs: input.dedupeWindowMs, dedupeScope: input.dedupeScope })
    return { id: r.id, duplicate: r.duplicate }
  }
  const gatewayEvent = (input: EventInput) =>
    emitFor(gatewayIdentity, input).catch((err) => log.error({ err, type: input.type }, 'cannot record a gateway event'))

  // Local broker: ingest gate, ACL, retained state.
  const brokerLog = log.child({ component: 'broker' })
  const ingestDevices = new Map([...identities].filter(([id]) => config.devices.find((d) => d.id === id)?.adapter === 'mqtt-ingest'))
  const gate = new IngestGate({
    devices: ingestDevices,
    maxPayloadBytes: config.broker.maxIngestPayloadBytes,
    newId: () => ids.next(),
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
    (device, input) => emitFor(identities.get(device)!, input).catch((err) => log.error({ device, err }, 'cannot record supervision event')),
    now,
  )
  const states = new DeviceStates((device, s) => void broker.publish(topics.state(site, device), JSON.stringify(s), 1, true), now)
  for (const d of config.devices) states.register(d.id, d.kind, d.name)
  const linkable: LinkableAdapter[] = []
  journal.on('committed', (rows, events: GatewayEvent[]) => {
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!
      for (const l of linkable) void l.onLinkedAlarm(ev)
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

  // Adapters.
  const abort = new AbortController()
  const adapters = new Map<string, Adapter>()
  const targets = new Map<string, CommandTarget>()
  for (const d of config.devices as DeviceConfig[]) {
    const entry = ADAPTERS[d.adapter]
    if (!entry) throw new Error(`no adapter "${d.adapter}"`) // unreachable: config validated the union
    const def = await entry.load()
    if (def.create === null) {
      targets.set(d.id, { command: undefined, inProcess: false })
      continue
    }
    const who = identities.get(d.id)!
    const ctx: AdapterContext = {
      log: log.child({ component: 'adapter', adapter: d.adapter, device: d.id }),
      now,
      signal: abort.signal,
      emit: (input) => emitFor(who, input),
      setState: (patch) => states.set(d.id, patch),
    }
    const adapter = def.create(d, ctx)
    adapters.set(d.id, adapter)
    if (isLinkable(adapter)) linkable.push(adapter)
    targets.set(d.id, { command: adapter.command?.bind(adapter), inProcess: true })
  }

  // Commands: platform -> local broker -> adapter; results back the same way.
  const commandStore = await CommandResultStore.open({ path: config.journal.path, now })
  const router = new CommandRouter({
    targets, now, log: log.child({ component: 'commands' }),
    store: commandStore,
    producerListening: (device) => broker.hasCommandListener(device),
    publishResult: (device, result) => void broker.publish(topics.cmdResult(site, device), JSON.stringify(result), 1, false),
  })
  await broker.subscribe(topics.allCommands(site), (topic, payload) => {
    const t = parseTopic(topic)
    if (t?.type === 'cmd') void router.handle(t.device, payload)
  })
  await broker.subscribe(topics.allCommandResults(site), (topic, payload) => {
    const t = parseTopic(topic)
    if (t?.type !== 'cmd-result') return
    router.sawResult(t.device, payload)
    for (const u of uplinks) u.publishCommandResult(t.device, payload)
  })
  for (const u of uplinks) {
    u.on('command', (device, payload) => void broker.publish(topics.cmd(site, device), payload, 1, false))
  }

  const status = () => buildStatus({ site, startedAt, now, journal, forwarders, uplinks, states, broker, gate, adapters })
  const publishStatus = async () => {
    try {
      const s = await status()
      await broker.publish(topics.gatewayStatus(site), JSON.stringify(s), 1, true)
      for (const u of uplinks) u.publishStatus(s)
    } catch (err) {
      log.warn({ err }, 'cannot publish gateway status')
    }
  }
  // A reconnected platform gets a fresh status at once: the last one was built while it was down.
  for (const u of uplinks) u.on('up', () => void publishStatus())
  const statusEveryMs = Math.min(...config.uplinks.map((u) => (u.type === 'mqtt' ? u.statusIntervalMs : 5000)), 5000)
  const statusTimer = setInterval(() => void publishStatus(), statusEveryMs)
  statusTimer.unref()

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
    await commandStore.close()
    await journal.close()
    throw err
  }

  let stopping = false
  supervisor.start()
  for (const u of uplinks) u.start()
  for (const f of forwarders) f.start()
  for (const [id, a] of adapters) {
    a.start().catch((err) => log.error({ device: id, err }, 'adapter failed to start'))
  }
  await gatewayEvent({ type: 'gateway.started', attrs: { version: process.env['npm_package_version'] ?? '0.1.0', devices: config.devices.length } })
  await publishStatus()
  log.info({ site, brokerPort, apiPort: api.port, devices: config.devices.length, uplinks: uplinks.length }, 'gateway started')

  return {
    config, brokerPort, apiPort: api.port, journal,
    status,
    emitAs: (device, input) => {
      const who = identities.get(device)
      if (!who) return Promise.reject(new Error(`no device "${device}"`))
      return emitFor(who, input)
    },
    async stop() {
      if (stopping) return
      stopping = true
      log.info('gateway stopping')
      clearInterval(statusTimer)
      supervisor.stop()
      abort.abort()
      // Intake first: adapters stop reading devices, the broker stops taking producers; the broker
      // lets its commits in flight finish and acknowledges them before it closes a connection.
      await Promise.allSettled([...adapters.values()].map((a) => a.stop()))
      await broker.stop()
      await router.settle()
      await commandStore.close()
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
