import { Aedes, type PublishPacket } from 'aedes'
import type { GatewayEvent } from '../../base/events/event.js'
import { CommandResultSchema, type CommandResult } from '../../base/events/command.js'
import { TOPIC_ROOT, parseTopic, topics } from '../../base/events/topics.js'
import { accessHooks, type AccessRules } from './access.js'
import { Recorder, type PlatformReport } from './recorder.js'
import { closeAedes, listenMqtt, type MqttListener } from '../../gateway/broker/listener.js'

export interface PlatformSimOptions extends AccessRules {
  host?: string
  port?: number
  /** PEM key and certificate: serve MQTT over TLS. */
  tls?: { key: Buffer; cert: Buffer; ca?: Buffer; requestCert?: boolean }
  onEvent?(ev: GatewayEvent): void
}

export interface PlatformCommand {
  id: string
  action: string
  params?: Record<string, unknown>
  expiresAt?: string
}

type Waiter = { pred: (e: GatewayEvent) => boolean; resolve: (e: GatewayEvent) => void }

/**
 * The police command platform, simulated: an MQTT broker (aedes) that records every event sites
 * send, checks them for duplicates, gaps and order, keeps each site's status, and sends commands.
 */
export class PlatformSim {
  readonly recorder = new Recorder()
  readonly statuses = new Map<string, unknown>()
  /** Every status received, in order (the map above keeps only each site's latest). */
  readonly statusLog: Array<{ site: string; status: unknown }> = []
  /** Client connections accepted (CONNACK sent). */
  connections = 0
  /** Topics whose publish was refused (the connection was closed on each). */
  readonly refused: string[] = []
  /** The TLS server name (SNI) each TLS client sent; false when it sent none. */
  readonly servernames: Array<string | false> = []
  port = 0
  private aedes: Aedes | undefined
  private listener: MqttListener | undefined
  private waiters: Waiter[] = []
  private statusWaiters: Array<() => void> = []
  private readonly results = new Map<string, (r: CommandResult) => void>()

  constructor(private readonly opts: PlatformSimOptions = {}) {}

  get events(): GatewayEvent[] {
    return this.recorder.events
  }

  get url(): string {
    return `${this.opts.tls ? 'mqtts' : 'mqtt'}://${this.opts.host ?? '127.0.0.1'}:${this.port}`
  }

  async start(): Promise<this> {
    const aedes = await Aedes.createBroker({ id: 'pingan-platform-sim', ...accessHooks(this.opts, this) })
    aedes.on('client', () => this.connections++)
    this.aedes = aedes
    await new Promise<void>((r) =>
      aedes.subscribe(
        `${TOPIC_ROOT}/+/event/#`,
        (p, cb) => {
          this.onEventPacket(p.payload as Buffer)
          cb()
        },
        () => r(),
      ),
    )
    await new Promise<void>((r) =>
      aedes.subscribe(
        `${TOPIC_ROOT}/+/gateway/status`,
        (p, cb) => {
          this.onStatus(p.topic, p.payload as Buffer)
          cb()
        },
        () => r(),
      ),
    )
    await new Promise<void>((r) =>
      aedes.subscribe(
        topics.allCommandResults(),
        (p, cb) => {
          this.onResult(p.payload as Buffer)
          cb()
        },
        () => r(),
      ),
    )
    await this.listen(this.opts.port ?? 0)
    return this
  }

  private async listen(port: number): Promise<void> {
    const tls = this.opts.tls
    const tlsOptions = tls
      ? { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false }
      : undefined
    this.listener = await listenMqtt(this.aedes!, this.opts.host ?? '127.0.0.1', port, tlsOptions)
    this.port = this.listener.port
  }

  /** The platform goes away: connections cut and the port closed; what was recorded stays. */
  async goOffline(): Promise<void> {
    await this.listener?.close()
    this.listener = undefined
  }

  /** The platform is back on the same port. */
  async comeBack(): Promise<void> {
    if (!this.listener) await this.listen(this.port)
  }

  private onEventPacket(payload: Buffer): void {
    const ev = this.recorder.record(payload)
    if (!ev) return
    this.opts.onEvent?.(ev)
    const keep: Waiter[] = []
    for (const w of this.waiters) w.pred(ev) ? w.resolve(ev) : keep.push(w)
    this.waiters = keep
  }

  private onStatus(topic: string, payload: Buffer): void {
    const t = parseTopic(topic)
    if (t?.type !== 'gateway-status') return
    let status: unknown
    try {
      status = JSON.parse(payload.toString())
    } catch {
      status = { invalid: payload.toString() }
    }
    this.statuses.set(t.site, status)
    this.statusLog.push({ site: t.site, status })
    for (const w of this.statusWaiters.splice(0)) w()
  }

  /** The first status from index `from` of the log on that matches, waiting for it if need be. */
  async waitForStatus(pred: (status: unknown) => boolean, from = 0, timeoutMs = 10_000): Promise<unknown> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const hit = this.statusLog.slice(from).find((e) => pred(e.status))
      if (hit) return hit.status
      const left = until - Date.now()
      if (left <= 0) throw new Error(`no matching status within ${timeoutMs} ms (received ${this.statusLog.length - from})`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.statusWaiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  private onResult(payload: Buffer): void {
    const parsed = CommandResultSchema.safeParse(JSON.parse(payload.toString()))
    if (!parsed.success) return
    const done = this.results.get(parsed.data.id)
    if (done) {
      this.results.delete(parsed.data.id)
      done(parsed.data)
    }
  }

  report(): PlatformReport {
    return this.recorder.report()
  }

  /** The first recorded (or future) event that matches. */
  waitForEvent(pred: (e: GatewayEvent) => boolean, timeoutMs = 10_000): Promise<GatewayEvent> {
    const hit = this.events.find(pred)
    if (hit) return Promise.resolve(hit)
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve: (e) => {
          clearTimeout(timer)
          resolve(e)
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w)
        reject(new Error(`no matching event within ${timeoutMs} ms (received ${this.events.length})`))
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  /** Waits until `count` unique events have arrived. */
  async waitForCount(count: number, timeoutMs = 30_000): Promise<void> {
    await this.waitUntil(
      () => this.events.length >= count,
      timeoutMs,
      () => `received ${this.events.length} of ${count} events`,
    )
  }

  /** Waits until `cond` holds, checked again at every event received. */
  waitUntil(cond: () => boolean, timeoutMs = 30_000, what = () => `received ${this.events.length} events`): Promise<void> {
    if (cond()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred: () => cond(),
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w)
        reject(new Error(`condition not met within ${timeoutMs} ms: ${what()}`))
      }, timeoutMs)
      this.waiters.push(w)
    })
  }

  /** Publishes a command to a site's device and resolves with its result. */
  sendCommand(site: string, device: string, cmd: PlatformCommand, timeoutMs = 10_000): Promise<CommandResult> {
    const aedes = this.aedes
    if (!aedes) return Promise.reject(new Error('platform simulator not started'))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.results.delete(cmd.id)
        reject(new Error(`no result for command ${cmd.id} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.results.set(cmd.id, (r) => {
        clearTimeout(timer)
        resolve(r)
      })
      const packet = {
        cmd: 'publish',
        topic: topics.cmd(site, device),
        payload: Buffer.from(JSON.stringify(cmd)),
        qos: 1,
        retain: false,
        dup: false,
      } as PublishPacket
      aedes.publish(packet, (err) => {
        if (err) {
          clearTimeout(timer)
          reject(err)
        }
      })
    })
  }

  /** Drops every client connection (the platform restarting, or the link cut), keeping what was recorded. */
  disconnectAll(): void {
    this.listener?.dropClients()
  }

  async close(): Promise<void> {
    await this.listener?.close()
    this.listener = undefined
    await closeAedes(this.aedes)
  }
}

export async function startPlatformSim(opts: PlatformSimOptions = {}): Promise<PlatformSim> {
  return new PlatformSim(opts).start()
}
