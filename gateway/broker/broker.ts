import type { Socket } from 'node:net'
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes'
import type { Logger } from '../log.js'
import { parseTopic } from '../events/topics.js'
import { errorMessage } from '../errors.js'
import { canPublish, canSubscribe, type Principal, type Role } from './acl.js'
import { verifyPassword } from './passwords.js'
import type { IngestGate } from './ingest-gate.js'
import { closeAedes, listenMqtt, type MqttListener } from './listener.js'

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
}

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

  constructor(private readonly opts: LocalBrokerOptions) {
    this.users = new Map(opts.users.map((u) => [u.username, u]))
  }

  async start(): Promise<number> {
    const log = this.opts.log
    const aedes = await Aedes.createBroker({
      id: `pingan-${this.opts.site}`,
      authenticate: (client, username, password, done) => void this.authenticate(client, username, password).then(
        (ok) => done(ok ? null : authError('bad username or password'), ok),
        (err) => done(authError(errorMessage(err)), false),
      ),
      authorizePublish: (client, packet, done) => this.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => {
        const who = this.principals.get(client) ?? ANONYMOUS
        if (canSubscribe(this.opts.site, who, sub.topic)) return done(null, sub)
        this.refusedSubscribes++
        log.warn({ client: client.id, username: who.username, topic: sub.topic }, 'subscription refused by the ACL')
        done(null, null) // SUBACK 0x80 [MQTT-3.9.3-2]
      },
    })
    aedes.on('clientError', (client, err) => log.debug({ client: client.id, err }, 'mqtt client error'))
    aedes.on('connectionError', (client, err) => log.debug({ client: client?.id, err }, 'mqtt connection error'))
    this.aedes = aedes
    this.listener = await listenMqtt(aedes, this.opts.host, this.opts.port)
    const port = this.listener.port
    log.info({ host: this.opts.host, port }, 'local broker listening')
    return port
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
    // Commit before PUBACK: aedes writes the PUBACK only after this callback [aedes lib/handlers/publish.js].
    this.opts.gate.accept(t.device, packet.payload as Buffer, who.username).then(
      () => done(null),
      (err) => {
        this.opts.log.error({ client: client.id, device: t.device, err }, 'ingest commit failed; no PUBACK, the producer will resend')
        done(err instanceof Error ? err : new Error(String(err)))
      },
    )
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    const aedes = this.aedes
    if (!aedes || aedes.closed) return Promise.resolve()
    const packet = { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos, retain, dup: false } as PublishPacket
    return new Promise((resolve, reject) => aedes.publish(packet, (err) => (err ? reject(err) : resolve())))
  }

  /** An in-process subscription (commands for in-process adapters, results for the uplink). */
  subscribe(filter: string, onMessage: (topic: string, payload: Buffer) => void): Promise<void> {
    const aedes = this.aedes
    if (!aedes) return Promise.reject(new Error('broker not started'))
    return new Promise((resolve) => aedes.subscribe(filter, (packet, cb) => {
      try {
        onMessage(packet.topic, packet.payload as Buffer)
      } finally {
        cb()
      }
    }, () => resolve()))
  }

  connectedClients(): number {
    return this.aedes?.connectedClients ?? 0
  }

  /** Stops accepting, closes every client, then the broker. */
  async stop(): Promise<void> {
    await this.listener?.close()
    this.listener = undefined
    await closeAedes(this.aedes)
  }
}
