import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { MqttClient, type IClientOptions, type IClientPublishOptions } from 'mqtt'
import type { Logger } from '../../base/log.js'
import type { MqttUplinkConfig } from './mqtt-config.js'
import type { OutboxRow } from '../outbox.js'
import { parseTopic, topics } from '../../base/events/topics.js'
import { UplinkError, errorMessage } from '../../base/errors.js'
import { Backoff } from '../../base/backoff.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../../base/timers.js'
import type { CloseSuspect, Uplink, UplinkEvents, UplinkState } from '../uplink.js'
import { RefusedTopics } from './refused-topics.js'
import { RepeatedErrors, serverName } from './link-errors.js'

/** How long a stop waits for the platform to take the offline status. */
const STOP_GRACE_MS = 2000

/** MQTT 5 reason codes of 0x80 and above are refusals [MQTT5 §3.4.2.1]. */
function isRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'number' && code >= 0x80
}

export interface MqttUplinkDeps {
  /** [0, 1): the backoff's jitter; seeded in tests. */
  random?: () => number
  /** The reconnect timer and clock; fake in tests. */
  timers?: Timers
}

/**
 * The MQTT uplink: QoS 1 publishes of journal events to the platform's broker, commands back.
 *
 * It owns reconnection (mqtt.js's own is off): each connection is a new MqttClient, so nothing
 * that was in flight is resent behind the forwarder's back; the forwarder resends from the
 * journal in order. TLS always verifies the broker's certificate.
 */
export class MqttUplink extends EventEmitter<UplinkEvents> implements Uplink {
  readonly id: string
  readonly window: number
  private client: MqttClient | undefined
  private generation = 0
  private current: UplinkState = 'down'
  private stopped = false
  private timer: TimerHandle | undefined
  private readonly timers: Timers
  private readonly backoff: Backoff
  private readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }
  private readonly host: string
  private readonly port: number
  /** This connection's publishes not yet acknowledged, in the order they were sent. */
  private readonly unacked = new Map<number, CloseSuspect>()
  private publishes = 0
  private readonly refusedTopics: RefusedTopics
  private failures = 0
  private readonly errors: RepeatedErrors
  private readonly secure: boolean
  private readonly servername: string | undefined

  constructor(
    private readonly cfg: MqttUplinkConfig,
    private readonly site: string,
    private readonly log: Logger,
    deps: MqttUplinkDeps = {},
  ) {
    super()
    this.id = cfg.id
    this.window = cfg.inflightWindow
    this.timers = deps.timers ?? SYSTEM_TIMERS
    this.backoff = new Backoff(cfg.backoff, deps.random)
    this.refusedTopics = new RefusedTopics(() => this.timers.now())
    const url = new URL(cfg.url)
    // URL keeps an IPv6 address in brackets; sockets want it bare.
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    this.secure = url.protocol === 'mqtts:'
    this.servername = serverName(this.host, cfg.servername)
    this.port = Number(url.port) || (url.protocol === 'mqtts:' ? 8883 : 1883)
    this.errors = new RepeatedErrors(log, {
      host: this.host,
      port: this.port,
      tls: this.secure,
      ...(this.secure ? { ca: cfg.ca ?? 'the system CA store' } : {}),
      ...(this.servername !== undefined ? { servername: this.servername } : {}),
    })
    this.tls = {}
    if (cfg.ca) this.tls.ca = readFileSync(cfg.ca)
    if (cfg.cert) this.tls.cert = readFileSync(cfg.cert)
    if (cfg.key) this.tls.key = readFileSync(cfg.key)
  }

  get state(): UplinkState {
    return this.current
  }

  start(): void {
    this.stopped = false
    this.connect()
  }

  private options(): IClientOptions {
    const statusTopic = topics.gatewayStatus(this.site)
    const opts: IClientOptions = {
      clientId: this.cfg.clientId ?? `pingan-${this.site}`,
      protocolVersion: this.cfg.protocolVersion,
      keepalive: this.cfg.keepaliveSec,
      connectTimeout: this.cfg.connectTimeoutMs,
      reconnectPeriod: 0,
      // A kept session lets commands sent during a short outage arrive; see sessionExpirySec.
      clean: false,
      // The platform sees the gateway go offline without waiting for a status timeout.
      will: { topic: statusTopic, payload: Buffer.from(JSON.stringify({ site: this.site, online: false, reason: 'connection lost' })), qos: 1, retain: true },
      resubscribe: false,
      // mqtt-packet otherwise builds a table of 65,536 two-byte Buffers (6.4 MB of heap) for the
      // numbers it writes; without it each is allocated as written. Encoding only: what is sent,
      // and QoS 1's ids and acknowledgements, are the same [MQTT.js #1151]. The switch is the
      // mqtt-packet module's, so it holds for the local broker too (table not built if it has not
      // written a packet yet).
      writeCache: false,
    }
    if (this.cfg.protocolVersion === 5) opts.properties = { sessionExpiryInterval: this.cfg.sessionExpirySec }
    if (this.cfg.username !== undefined) opts.username = this.cfg.username
    if (this.cfg.password !== undefined) opts.password = this.cfg.password
    return opts
  }

  private connect(): void {
    if (this.stopped) return
    const gen = ++this.generation
    this.setState('connecting')
    const client = new MqttClient(() => {
      const socket = this.secure
        ? tlsConnect({
            host: this.host,
            port: this.port,
            ...(this.servername !== undefined ? { servername: this.servername } : {}),
            rejectUnauthorized: true,
            ...this.tls,
          })
        : netConnect({ host: this.host, port: this.port })
      socket.setNoDelay(true)
      return socket
    }, this.options())
    this.client = client
    client.on('connect', (connack) => {
      if (gen !== this.generation) return
      const failedAttempts = this.failures
      this.failures = 0
      this.errors.clear()
      this.unacked.clear()
      // Resubscribe unless the broker kept our session [MQTT-3.2.2-2].
      if (!connack.sessionPresent) {
        client.subscribe(topics.allCommands(this.site), { qos: 1 }, (err) => {
          if (err) this.log.error({ err }, 'cannot subscribe to platform commands')
          else if (gen === this.generation) this.backoff.reset()
        })
      }
      this.log.info({ host: this.host, port: this.port, sessionPresent: connack.sessionPresent, failedAttempts }, 'uplink connected')
      this.setState('up')
      // The gateway publishes a fresh status on 'up': one kept from before the outage would say down.
      this.emit('up')
    })
    client.on('message', (topic, payload) => {
      const t = parseTopic(topic)
      if (t?.type === 'cmd' && t.site === this.site) this.emit('command', t.device, payload)
    })
    client.on('error', (err) => {
      if (gen === this.generation) this.errors.report(err)
    })
    client.on('close', () => this.lost(gen, client, 'connection closed'))
    client.on('offline', () => this.lost(gen, client, 'offline'))
  }

  private lost(gen: number, client: MqttClient, reason: string): void {
    if (gen !== this.generation) return
    this.generation++ // late callbacks of this client no longer count
    // A status or command result still unacknowledged is suspected before any event: holding one
    // back by mistake costs a status for a while, blaming an innocent event could set it aside.
    const unacked = [...this.unacked.values()]
    const suspect = unacked.find((u) => u.kind !== 'event') ?? unacked[0]
    this.unacked.clear()
    client.removeAllListeners('close')
    client.end(true)
    if (this.stopped) return
    // A status or command result is held back here; an event's fate is the forwarder's to decide.
    const holdMs = this.refusedTopics.closedOn(suspect && suspect.kind !== 'event' ? suspect.topic : undefined)
    if (holdMs !== undefined) this.refused(suspect!, 'two connections in a row closed right after it', holdMs)
    const delay = this.backoff.next()
    const wasUp = this.current === 'up'
    this.failures++
    this.setState('down')
    if (wasUp || this.failures === 1) {
      this.log.warn({ reason, lastError: this.errors.lastMessage, retryInMs: delay, suspectTopic: suspect?.topic }, 'uplink down')
      this.emit('down', reason, suspect)
    } else {
      this.log.debug({ reason, lastError: this.errors.lastMessage, retryInMs: delay, attempt: this.failures }, 'uplink still down')
    }
    this.timer = this.timers.setTimeout(() => this.connect(), delay)
  }

  private setState(s: UplinkState): void {
    this.current = s
  }

  /**
   * Publishes at QoS 1 on the current connection, remembering it until acknowledged so a close can
   * be blamed on what the broker stopped at. `done` gets `refused` for a refusal reason code.
   */
  private publish(what: CloseSuspect, payload: string | Buffer, opts: IClientPublishOptions, done: (err: Error | undefined, refused: boolean) => void): void {
    const client = this.client
    const gen = this.generation
    if (!client || this.current !== 'up') return done(new UplinkError('uplink is not connected', false), false)
    const tag = ++this.publishes
    this.unacked.set(tag, what)
    client.publish(what.topic, payload, opts, (err) => {
      const current = gen === this.generation
      if (current) this.unacked.delete(tag)
      if (!err) {
        // Acknowledged: the connection carries data, so a later drop starts the backoff afresh.
        if (current) this.backoff.reset()
        this.refusedTopics.accepted(what.topic)
        return done(undefined, false)
      }
      const refused = current && isRefusal(err)
      if (refused && what.kind !== 'event')
        this.refused(what, `reason code 0x${Number((err as { code?: number }).code).toString(16)}`, this.refusedTopics.refuse(what.topic))
      done(err, refused)
    })
  }

  /** The platform refused a status or command result publish: say which topic, hold it back. */
  private refused(what: CloseSuspect, how: string, holdMs: number): void {
    this.log.error(
      { topic: what.topic, kind: what.kind, username: this.cfg.username, how, holdMs },
      'the platform refused a publish: grant the account publish permission on this topic (README: the MQTT uplink to the platform); held back meanwhile, events go on',
    )
  }

  send(row: OutboxRow): Promise<void> {
    const topic = topics.event(this.site, row.kind as Parameters<typeof topics.event>[1], row.device)
    return new Promise((resolve, reject) => {
      this.publish({ kind: 'event', pos: row.pos, topic }, row.body, { qos: 1 }, (err, refused) => {
        if (!err) return resolve()
        reject(new UplinkError(`platform did not acknowledge event ${row.id} on ${topic}: ${errorMessage(err)}`, refused, { cause: err }))
      })
    })
  }

  publishStatus(status: unknown): void {
    const topic = topics.gatewayStatus(this.site)
    if (this.current !== 'up' || this.refusedTopics.isHeld(topic)) return
    this.publish({ kind: 'status', topic }, JSON.stringify(status), { qos: 1, retain: true }, () => undefined)
  }

  publishCommandResult(device: string, payload: Buffer): void {
    const topic = topics.cmdResult(this.site, device)
    if (this.current !== 'up') {
      this.log.warn({ device, topic }, 'command result not sent: uplink down')
      return
    }
    if (this.refusedTopics.isHeld(topic)) {
      this.log.warn({ device, topic }, 'command result not sent: the platform refuses this topic')
      return
    }
    this.publish({ kind: 'result', topic }, payload, { qos: 1 }, () => undefined)
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    const client = this.client
    this.generation++
    this.setState('stopped')
    if (!client) return
    const topic = topics.gatewayStatus(this.site)
    if (client.connected && !this.refusedTopics.isHeld(topic)) {
      // A graceful stop replaces the retained status; the will is for crashes. A platform that
      // closes instead of acknowledging (or never answers) does not hold the stop up.
      const offline = JSON.stringify({ site: this.site, online: false, reason: 'stopped' })
      await new Promise<void>((resolve) => {
        const timer = this.timers.setTimeout(resolve, STOP_GRACE_MS)
        const done = () => {
          this.timers.clearTimeout(timer)
          resolve()
        }
        client.once('close', done)
        client.publish(topic, offline, { qos: 1, retain: true }, done)
      })
    }
    // DISCONNECT, so the broker discards the will [MQTT-3.1.2-10]; a dead connection is just dropped.
    if (client.connected) await new Promise<void>((r) => client.end(false, {}, () => r()))
    else client.end(true)
  }
}
