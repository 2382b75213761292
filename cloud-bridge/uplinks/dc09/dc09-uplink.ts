import { EventEmitter } from 'node:events'
import type { Logger } from '../../../base/log.js'
import type { OutboxRow } from '../../outbox.js'
import type { GatewayEvent } from '../../../base/events/event.js'
import { UplinkError } from '../../../base/errors.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../../../base/timers.js'
import type { Uplink, UplinkEvents, UplinkState } from '../../uplink.js'
import type { Dc09UplinkConfig, ReceiverConfig } from './config.js'
import { PERIODIC_TEST } from './mapping.js'
import { eventPayload, plainPayload, routed, type EventPayload, type SiteInfo } from './message.js'
import { buildPaths, pathsHealth, type Dc09Health, type Path } from './paths.js'
import type { Draft, Outcome } from './receiver-link.js'
import { linkTestMs } from './supervision.js'

/** A gateway event the uplink reports (path fault and restore, refusals, clock offsets). */
export type Dc09Report = (type: 'uplink.path.fault' | 'uplink.path.restore' | 'uplink.refused' | 'uplink.clock.offset', attrs: Record<string, unknown>) => void

export interface Dc09UplinkDeps {
  site: SiteInfo
  log: Logger
  report: Dc09Report
  timers?: Timers
  /** [0, 1): pads and the first sequence number; seeded in tests. */
  random?: () => number
}

/**
 * The SIA DC-09 uplink: events to an alarm-receiving centre, one in flight (window 1), each
 * delivered when its ACK arrives. The last good path goes first; within a path the primary
 * receiver, then the secondary; a path whose receivers do not answer is reported and the other
 * path takes the traffic; DUH passes the message to the next receiver and is reported. When no
 * path answers the uplink is down and the journal keeps everything; link tests bring it back up.
 */
export class Dc09Uplink extends EventEmitter<UplinkEvents> implements Uplink {
  readonly id: string
  readonly window = 1
  private current: UplinkState = 'down'
  private stopped = true
  private readonly paths: Path[]
  private active = 0
  private downTimer: TimerHandle | undefined
  private testTimer: TimerHandle | undefined
  private readonly timers: Timers
  private readonly random: () => number

  constructor(
    private readonly cfg: Dc09UplinkConfig,
    private readonly deps: Dc09UplinkDeps,
  ) {
    super()
    this.id = cfg.id
    this.timers = deps.timers ?? SYSTEM_TIMERS
    this.random = deps.random ?? Math.random
    this.paths = buildPaths(cfg, {
      log: deps.log,
      timers: this.timers,
      random: this.random,
      onOffset: (receiver, offsetMs) => {
        this.deps.log.info({ receiver, offsetMs }, 'receiver clock differs: its time adopted for our timestamps')
        if (Math.abs(offsetMs) > this.cfg.maxClockOffsetMs) this.deps.report('uplink.clock.offset', { uplink: this.id, receiver, offsetMs })
      },
    })
  }

  get state(): UplinkState {
    return this.current
  }

  start(): void {
    this.stopped = false
    this.current = 'connecting'
    // Every path is supervised from the start, the backup too (at its own, slower pace).
    for (const p of this.paths) this.restartLinkTest(p)
    void this.probe()
    this.scheduleTestReport()
  }

  /** Paths in the order to try: the last good one first. */
  private order(): Path[] {
    return [this.paths[this.active]!, ...this.paths.filter((p) => p.index !== this.active)]
  }

  /**
   * Sends one message (made per receiver) along the paths. `ack` when a receiver took it, `duh`
   * when every receiver that answered refused it, `failed` when no path answered.
   */
  private async deliver(make: (r: ReceiverConfig) => Draft | undefined, onlyPath?: Path): Promise<Outcome | 'skip'> {
    let refused = 0
    let tried = 0
    for (const path of onlyPath ? [onlyPath] : this.order()) {
      let answered = false
      for (const rcv of path.receivers) {
        const draft = make(rcv.cfg)
        if (!draft) continue
        tried++
        const out = await rcv.link.transact(draft)
        this.restartLinkTest(path)
        if (out === 'ack') {
          this.pathGood(path)
          return 'ack'
        }
        if (out === 'duh') {
          // A refusal proves the path works; the message goes on to the next receiver.
          answered = true
          refused++
          this.pathGood(path)
          const level = ++rcv.refusals === 1 ? 'warn' : 'debug'
          this.deps.log[level](
            { receiver: rcv.link.name, token: draft.token, refusals: rcv.refusals },
            'receiver refused the message (DUH): trying the next receiver',
          )
          this.deps.report('uplink.refused', { uplink: this.id, receiver: rcv.link.name, token: draft.token })
        }
      }
      if (!answered && tried > 0)
        this.pathFault(
          path,
          path.receivers
            .map((r) => r.link.lastError)
            .filter(Boolean)
            .join('; '),
        )
      if (this.stopped) break
    }
    if (tried === 0) return 'skip'
    return refused === tried ? 'duh' : 'failed'
  }

  private pathGood(path: Path): void {
    if (!path.good) {
      path.good = true
      this.deps.log.info({ path: path.name }, 'uplink path restored')
      this.deps.report('uplink.path.restore', { uplink: this.id, path: path.name })
    }
    // The primary takes the traffic back as soon as it answers again.
    if (path.index === 0 || !this.paths[this.active]!.good) this.active = path.index
    if (this.current !== 'up' && !this.stopped) {
      this.current = 'up'
      if (this.downTimer !== undefined) this.timers.clearTimeout(this.downTimer)
      this.downTimer = undefined
      this.deps.log.info({ path: path.name }, 'uplink up')
      this.emit('up')
    }
  }

  private pathFault(path: Path, reason: string): void {
    const was = path.good
    path.good = false
    // A failed path is polled every retryDownMs until it answers.
    this.restartLinkTest(path)
    if (!was) return
    this.deps.log.warn({ path: path.name, reason }, 'uplink path failed: its receivers do not answer')
    this.deps.report('uplink.path.fault', { uplink: this.id, path: path.name, reason })
    const other = this.paths.find((p) => p.good)
    if (other) this.active = other.index
    // The primary is down: the backup is now polled at the primary's pace.
    if (path.index === 0) for (const p of this.paths.slice(1)) this.restartLinkTest(p)
  }

  private goDown(reason: string): void {
    if (this.stopped) return
    const was = this.current
    this.current = 'down'
    if (was !== 'down') {
      this.deps.log.warn({ reason, retryInMs: this.cfg.retryDownMs }, 'uplink down: no path answers; events wait in the journal')
      this.emit('down', reason)
    }
    if (this.downTimer === undefined) {
      this.downTimer = this.timers.setTimeout(() => {
        this.downTimer = undefined
        void this.probe()
      }, this.cfg.retryDownMs)
    }
  }

  /** Link tests on every path until one answers. */
  private async probe(): Promise<void> {
    if (this.stopped) return
    const out = await this.deliver((r) => this.nullDraft(r))
    if (out === 'failed') this.goDown('no receiver answers a link test')
  }

  private nullDraft(r: ReceiverConfig): Draft {
    const account = r.account ?? this.cfg.account
    return { token: 'NULL', account, data: '', xdata: [] }
  }

  /** Link test interval of a path: the backup is polled at the primary's pace while the primary is down. */
  private interval(path: Path): number {
    if (!path.good) return Math.min(linkTestMs(this.cfg, path.index), this.cfg.retryDownMs)
    if (path.index > 0 && !this.paths[0]!.good) return linkTestMs(this.cfg, 0)
    return linkTestMs(this.cfg, path.index)
  }

  /** Any message on a path restarts its link-test timer. [SIA DC-09, link test: NULL] */
  private restartLinkTest(path: Path): void {
    if (path.timer !== undefined) this.timers.clearTimeout(path.timer)
    path.timer = undefined
    if (this.stopped) return
    path.timer = this.timers.setTimeout(() => {
      path.timer = undefined
      void this.deliver((r) => this.nullDraft(r), path).then((out) => {
        if (out === 'failed' && !this.paths.some((p) => p.good)) this.goDown('no path answers its link test')
      })
    }, this.interval(path))
  }

  private scheduleTestReport(): void {
    if (this.cfg.testReportMs === 0 || this.stopped) return
    this.testTimer = this.timers.setTimeout(() => {
      this.testTimer = undefined
      void this.deliver((r) => draftOf(plainPayload(this.cfg, r, PERIODIC_TEST))).finally(() => this.scheduleTestReport())
    }, this.cfg.testReportMs)
  }

  async send(row: OutboxRow): Promise<void> {
    let ev: GatewayEvent
    try {
      ev = JSON.parse(row.body) as GatewayEvent
    } catch (err) {
      throw new UplinkError(`event ${row.id} is not JSON in the journal`, true, { cause: err })
    }
    // Outside this centre's call direction, or without a code: delivered by not being sent.
    if (!routed(this.cfg, ev)) return
    if (this.current !== 'up') throw new UplinkError('no path to the alarm-receiving centre', false)
    const out = await this.deliver((r) => {
      if (!routed(r, ev)) return undefined
      const p = eventPayload(this.cfg, this.deps.site, r, ev)
      return p ? draftOf(p) : undefined
    })
    if (out === 'ack' || out === 'skip') return
    if (out === 'duh') throw new UplinkError(`every receiver refused event ${row.id} (${ev.type}) with DUH`, true)
    this.goDown('no receiver acknowledged an event')
    throw new UplinkError(`no receiver acknowledged event ${row.id}`, false)
  }

  /** Gateway status goes to the MQTT platform only: a receiver takes events, not documents. */
  publishStatus(): void {}

  publishCommandResult(): void {}

  health(): Dc09Health {
    return pathsHealth(this.paths, this.active)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.current = 'stopped'
    for (const t of [this.downTimer, this.testTimer, ...this.paths.map((p) => p.timer)]) if (t !== undefined) this.timers.clearTimeout(t)
    for (const p of this.paths) for (const r of p.receivers) r.link.close()
  }
}

function draftOf(p: EventPayload): Draft {
  return { token: p.token, account: p.account, data: p.data, xdata: p.xdata }
}
