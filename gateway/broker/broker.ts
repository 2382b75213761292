import type { Socket } from 'node:net'
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes'
import type { Logger } from '../../base/log.js'
import { filterMatchesEvents, parseTopic, topics } from '../../base/events/topics.js'
import { EventOrderError, errorMessage } from '../../base/errors.js'
import { canPublish, canSubscribe, filterWithin, type Principal, type Role } from './acl.js'
import { verifyPassword } from './passwords.js'
import type { IngestGate } from './ingest-gate.js'
import { IngestBudget, type IngestBudgetLimits } from './ingest-budget.js'
import { closeAedes, listenMqtt, type MqttListener } from './listener.js'
import { describeViolation, type MeterViolation } from './packet-meter.js'

export interface BrokerUser {
  username: string
  passwordHash: string
  role: Role
  devices: string[]
}

export interface LocalBrokerOptions {
  site: string
  host: string
  port: number
  allowAnonymous: boolean
  users: BrokerUser[]
  gate: IngestGate
  log: Logger
  /** How long `stop()` lets clients read their last PUBACKs and close; then they are cut. */
  closeGraceMs?: number
  /** The bound on ingest publishes in flight across all connections (see `IngestBudget`). */
  ingestBudget?: IngestBudgetLimits
}

/** As the config's defaults: about 1,000 events in flight, a few group commits' worth, about 5 MB of heap. */
const DEFAULT_INGEST_BUDGET: IngestBudgetLimits = { maxInflight: 1024, maxInflightBytes: 1_048_576 }

/**
 * A packet may carry an ingest payload up to twice the gate's limit (the gate then refuses it with
 * its size and reports it) plus room for the topic and headers; a larger one is cut at its header.
 */
const PACKET_HEADROOM_BYTES = 4096
const CLOSE_GRACE_MS = 2000
/** Keys (remote addresses, client ids) already warned about (then debug), forgotten when this many pile up. */
const WARNED_MAX = 1024

const ANONYMOUS: Principal = { username: '(anonymous)', role: 'observer', devices: new Set() }

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 4 as const }) as AuthenticateError
}

/**
 * The embedded MQTT broker (aedes) on TCP. Every client authenticates (unless anonymous access is
 * explicitly opened) and is held to the ACL; publishes to an ingest topic pass the ingest gate,
 * which commits the event before aedes may send the PUBACK.
 */
export class LocalBroker {
  private aedes: Aedes | undefined
  private listener: MqttListener | undefined
  private readonly principals = new WeakMap<Client, Principal>()
  private readonly users: Map<string, BrokerUser>
  refusedLogins = 0
  refusedPublishes = 0
  refusedSubscribes = 0
  /** Ingest publishes that arrived while stopping: not committed, not acknowledged. */
  heldPublishes = 0
  private draining = false
  private readonly inflight = new Set<Promise<void>>()
  /** Connections cut at a packet header (too large, malformed, not CONNECT first). */
  cutConnections = 0
  private readonly warned = new Set<string>()
  /** Ingest publishes in flight across connections, bounded; its counters are the status's. */
  readonly ingest: IngestBudget
  private eventAudience = false

  constructor(private readonly opts: LocalBrokerOptions) {
    this.users = new Map(opts.users.map((u) => [u.username, u]))
    this.ingest = new IngestBudget(opts.ingestBudget ?? DEFAULT_INGEST_BUDGET)
  }

  async start(): Promise<number> {
    const log = this.opts.log
    const aedes = await Aedes.createBroker({
      id: `pingan-${this.opts.site}`,
      authenticate: (client, username, password, done) =>
        void this.authenticate(client, username, password).then(
          (ok) => done(ok ? null : authError('bad username or password'), ok),
          (err) => done(authError(errorMessage(err)), false),
        ),
      preConnect: (client, packet, done) => {
        // aedes 1.2 serves 3.1 and 3.1.1 (levels 3, 4) and answers any other level with CONNACK 0x01
        // [MQTT-3.1.2-2]; say so here, where the client's level is known, so the refusal is explained.
        if (packet.protocolVersion !== 3 && packet.protocolVersion !== 4) {
          this.refusedLogins++
          const remote = (client.conn as Socket).remoteAddress
          this.warnOnce(
            `v${packet.protocolVersion}:${packet.clientId}:${remote}`,
            {
              client: packet.clientId,
              username: packet.username,
              remote,
              protocolVersion: packet.protocolVersion,
              fix: 'configure the client for MQTT 3.1.1 (protocolVersion 4)',
            },
            'mqtt client refused: the local broker speaks MQTT 3.1.1 only',
          )
        }
        done(null, true)
      },
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => {
        const who = this.principals.get(client) ?? ANONYMOUS
        if (canSubscribe(this.opts.site, who, sub.topic)) {
          this.noteSubscription(sub.topic)
          return done(null, sub)
        }
        this.refusedSubscribes++
        log.warn({ client: client.id, username: who.username, topic: sub.topic }, 'subscription refused by the ACL')
        done(null, null) // SUBACK 0x80 [MQTT-3.9.3-2]
      },
    })
    aedes.on('clientError', (client, err) => log.debug({ client: client.id, err }, 'mqtt client error'))
    aedes.on('connectionError', (client, err) => log.debug({ client: client?.id, err }, 'mqtt connection error'))
    this.aedes = aedes
    this.listener = await listenMqtt(aedes, this.opts.host, this.opts.port, undefined, {
      maxPacketBytes: this.maxPacketBytes(),
      onViolation: (socket, v) => this.onCut(socket, v),
    })
    const port = this.listener.port
    log.info({ host: this.opts.host, port }, 'local broker listening')
    return port
  }

  maxPacketBytes(): number {
    return 2 * this.opts.gate.maxPayloadBytes + PACKET_HEADROOM_BYTES
  }

  private onCut(socket: Socket, v: MeterViolation): void {
    this.cutConnections++
    const remote = socket.remoteAddress ?? '?'
    const client = (socket as Socket & { client?: Client }).client?.id ?? undefined
    const { reason: kind, ...detail } = v
    this.warnOnce(
      `cut:${remote}`,
      { remote, client, kind, ...detail, reason: describeViolation(v), cut: this.cutConnections },
      'mqtt connection cut at a packet header',
    )
  }

  /** A client that retries every second would flood the log: warn once per key, then debug. */
  private warnOnce(key: string, line: Record<string, unknown>, msg: string): void {
    if (this.warned.has(key)) return this.opts.log.debug(line, msg)
    if (this.warned.size >= WARNED_MAX) this.warned.clear()
    this.warned.add(key)
    this.opts.log.warn(line, msg)
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<boolean> {
    const remote = (client.conn as Socket).remoteAddress
    if (username === undefined || username === '') {
      if (this.opts.allowAnonymous) {
        this.principals.set(client, ANONYMOUS)
        return true
      }
      this.refusedLogins++
      this.opts.log.warn({ client: client.id, remote }, 'broker login refused: no credentials (anonymous access is off)')
      return false
    }
    const user = this.users.get(username)
    const ok = user !== undefined && password !== undefined && (await verifyPassword(password.toString('utf8'), user.passwordHash))
    if (!ok || !user) {
      this.refusedLogins++
      this.opts.log.warn({ client: client.id, username, remote }, 'broker login refused: bad username or password')
      return false
    }
    this.principals.set(client, { username, role: user.role, devices: new Set(user.devices) })
    return true
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void): void {
    if (client === null) return done(null) // the gateway's own publishes
    const who = this.principals.get(client) ?? ANONYMOUS
    const t = parseTopic(packet.topic)
    if (!canPublish(this.opts.site, who, t)) {
      this.refusedPublishes++
      this.opts.log.warn({ client: client.id, username: who.username, topic: packet.topic }, 'publish refused by the ACL')
      return done(new Error(`not authorized to publish on ${packet.topic}`))
    }
    if (t?.type !== 'ingest') return done(null)
    // Over the bound the publish waits its connection's turn; aedes reads nothing more from that
    // connection meanwhile (it waits for every packet of the chunk), so the socket is not read.
    const bytes = (packet.payload as Buffer).length
    this.ingest.admit(client, bytes, () => this.commitIngest(client, who, t.device, packet, bytes, done))
  }

  private commitIngest(client: Client, who: Principal, device: string, packet: PublishPacket, bytes: number, done: (err?: Error | null) => void): void {
    if (this.draining || client.conn.destroyed) {
      // Stopping, or the connection is gone while this waited: neither committed nor acknowledged,
      // so the producer resends it (to the next run), which stores it once. Refusing it instead
      // would close the connection before the PUBACKs of the commits still in flight are written.
      this.heldPublishes++
      this.opts.log.debug({ client: client.id, device }, 'ingest publish held: the broker is stopping or the connection closed; the producer will resend it')
      return this.ingest.release(bytes)
    }
    // Commit before PUBACK: aedes writes the PUBACK only after this callback [aedes lib/handlers/publish.js].
    const commit = this.opts.gate.accept(device, packet.payload as Buffer, who.username).then(
      () => done(null),
      (err: unknown) => {
        // An order refusal follows a failed commit the journal has already reported.
        if (err instanceof EventOrderError)
          this.opts.log.debug({ client: client.id, device, err }, "ingest publish refused to keep the device's order; no PUBACK, the producer will resend")
        else this.opts.log.error({ client: client.id, device, err }, 'ingest commit failed; no PUBACK, the producer will resend')
        done(err instanceof Error ? err : new Error(String(err)))
      },
    )
    this.inflight.add(commit)
    void commit.finally(() => {
      this.inflight.delete(commit)
      this.ingest.release(bytes)
    })
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    const aedes = this.aedes
    if (!aedes || aedes.closed) return Promise.resolve()
    // A string goes as it is: mqtt-packet encodes it while writing to each subscriber's socket
    // [mqtt-packet writeToStream.js publish()], so an event nobody subscribes to costs no copy;
    // in-process subscribers get a Buffer (below).
    const packet = { cmd: 'publish', topic, payload, qos, retain, dup: false } as PublishPacket
    return new Promise((resolve, reject) => aedes.publish(packet, (err) => (err ? reject(err) : resolve())))
  }

  /**
   * Whether anything may read the site's events on this broker. Until a subscription that can match
   * an event topic is allowed, publishing a committed event here builds an aedes packet and routes
   * it (subscriptions, then offline sessions) for no reader; an MQTT subscriber never receives what
   * was published before it subscribed, so not publishing until then cannot be seen. Once true it
   * stays true: aedes keeps a persistent session's subscriptions while its client is away, and
   * queues its QoS 1 events for it. Sessions are kept in memory, so none outlive the process.
   */
  get hasEventAudience(): boolean {
    return this.eventAudience
  }

  private noteSubscription(filter: string): void {
    if (!this.eventAudience && filterMatchesEvents(filter, this.opts.site)) {
      this.eventAudience = true
      this.opts.log.info({ filter }, 'events are published on the local broker from now on: a subscription can read them')
    }
  }

  /** An in-process subscription (commands for in-process adapters, results for the uplink). */
  subscribe(filter: string, onMessage: (topic: string, payload: Buffer) => void): Promise<void> {
    const aedes = this.aedes
    if (!aedes) return Promise.reject(new Error('broker not started'))
    this.noteSubscription(filter)
    return new Promise((resolve) =>
      aedes.subscribe(
        filter,
        (packet, cb) => {
          try {
            const p = packet.payload as Buffer | string
            onMessage(packet.topic, typeof p === 'string' ? Buffer.from(p) : p)
          } finally {
            cb()
          }
        },
        () => resolve(),
      ),
    )
  }

  /**
   * Whether a connected client that speaks for `device` (a producer listing it) is subscribed to
   * the device's command topic: someone will answer a command sent to it. Read-only; aedes keeps
   * its connected clients in `clients` (subscriptions restored from a persistent session included).
   */
  hasCommandListener(device: string): boolean {
    // Neither field is in aedes' typings: `clients` (aedes.js) and `subscriptions` (lib/client.js).
    type Listed = Client & { subscriptions: Record<string, unknown> }
    const clients = (this.aedes as unknown as { clients?: Record<string, Listed> } | undefined)?.clients
    if (!clients) return false
    const topic = topics.cmd(this.opts.site, device)
    return Object.values(clients).some(
      (c) =>
        c.connected &&
        this.principals.get(c)?.devices.has(device) === true &&
        Object.keys(c.subscriptions).some((f) => filterWithin(topic, f.startsWith('$share/') ? f.split('/').slice(2).join('/') : f)),
    )
  }

  connectedClients(): number {
    return this.aedes?.connectedClients ?? 0
  }

  /**
   * Intake first: no new connection, no new ingest commit. Then the commits in flight finish and
   * their PUBACKs are written (aedes writes a PUBACK synchronously inside the `authorizePublish`
   * callback), then every connection is ended so those PUBACKs are flushed before the FIN, and only
   * then the broker closes. Cutting the sockets while commits were in flight lost their PUBACKs:
   * the producer resent after the restart, and an event without a producer id was stored twice.
   */
  async stop(): Promise<void> {
    this.draining = true
    this.listener?.stopAccepting()
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
    if (this.heldPublishes > 0) this.opts.log.info({ held: this.heldPublishes }, 'ingest publishes held at stop, to be resent by their producers')
    await this.listener?.close(this.opts.closeGraceMs ?? CLOSE_GRACE_MS)
    this.listener = undefined
    await closeAedes(this.aedes)
  }
}
