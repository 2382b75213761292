import type { Adapter, AdapterCommandResult, AdapterContext, AdapterHealth } from '../types.js'
import { EventSink } from '../event-sink.js'
import { newLinkStats } from '../transport/link-stats.js'
import { infoPoints, unitInfo, type InfoPoints } from './info-points.js'
import type { Command } from '../../base/events/command.js'
import { errorMessage } from '../../base/errors.js'
import type { EventInput } from '../../base/events/event.js'
import { ModbusException, type ModbusRequest } from './codec.js'
import { runCommand } from './command.js'
import { EXCEPTIONS } from './exceptions.js'
import { PollExceptionLog } from './poll-exceptions.js'
import { profileName, profileOf, type ModbusDeviceConfig } from './config.js'
import { UnitDecoder } from './decode.js'
import { planReads, rawValue, readRequest, type ReadBlock } from './plan.js'
import type { BusPool, SharedBus } from './pool.js'
import type { Profile } from './profile.js'

type Presence = 'unknown' | 'online' | 'offline'

/**
 * One Modbus unit on a shared bus: polls its profile's points, reports state and events,
 * supervises the unit (offline after missed polls, online when it answers again) and carries
 * out commands. Timing lives here; bytes live in the codec and the bus.
 */
export class ModbusUnitAdapter implements Adapter {
  private readonly profile: Profile
  private readonly blocks: ReadBlock[]
  private readonly decoder: UnitDecoder
  private readonly infoPoints: InfoPoints
  private readonly sink: EventSink
  /** When the unit last answered (a reply or an exception reply). */
  private lastSeenAt: number | undefined
  private shared: SharedBus | undefined
  private presence: Presence = 'unknown'
  private misses = 0
  private downSince = 0
  private lastError = ''
  private lastPublished = ''
  private running = false
  private loop: Promise<void> | undefined
  /** Aborted on stop: ends the poll loop's and commands' waits at once. */
  private readonly stopSignal = new AbortController()
  /** Commands to one unit run one after another. */
  private commandChain: Promise<unknown> = Promise.resolve()
  readonly counters = { polls: 0, missed: 0, exceptions: 0, events: 0 }
  /** Exception replies to polls, by code: the first of each is a warning, the rest are counted. */
  private readonly exceptionLog: PollExceptionLog

  constructor(
    private readonly cfg: ModbusDeviceConfig,
    private readonly ctx: AdapterContext,
    private readonly pool: BusPool,
  ) {
    this.profile = profileOf(cfg)
    this.blocks = planReads(this.profile)
    this.decoder = new UnitDecoder(this.profile, cfg.kind, cfg.unit, profileName(cfg))
    this.infoPoints = infoPoints(this.profile)
    this.sink = new EventSink((e) => ctx.emit(e), ctx.log)
    this.exceptionLog = new PollExceptionLog(ctx.log, cfg.unit)
  }

  /**
   * The unit's share of its bus (replies, resends, bad CRCs, timeouts, bytes dropped while its
   * reply was awaited) and what its points say: lock position, occupancy, battery.
   */
  health(): AdapterHealth {
    return {
      online: this.presence === 'online',
      ...(this.lastSeenAt !== undefined ? { lastSeenAt: this.lastSeenAt } : {}),
      link: { ...(this.shared?.bus.linkOf(this.cfg.unit) ?? newLinkStats()) },
      info: unitInfo(this.infoPoints, (p) => this.decoder.reading(p)),
      supervision: { windowMs: this.cfg.pollIntervalMs * this.cfg.offlineAfterMisses },
    }
  }

  async start(): Promise<void> {
    try {
      this.shared = this.pool.acquire(this.cfg.transport, this.cfg, this.cfg.id, this.ctx.log)
    } catch (err) {
      this.ctx.log.error({ err }, 'cannot use the bus')
      this.ctx.setState({ online: false, reason: errorMessage(err), unit: this.cfg.unit })
      return
    }
    this.ctx.setState({ online: false, reason: 'not polled yet', unit: this.cfg.unit, bus: this.shared.name })
    this.running = true
    this.loop = this.pollLoop()
  }

  async stop(): Promise<void> {
    this.running = false
    this.stopSignal.abort()
    await this.loop
    await this.commandChain.catch(() => undefined)
    if (this.shared) await this.pool.release(this.shared, this.cfg.id)
    this.shared = undefined
  }

  command(cmd: Command): Promise<AdapterCommandResult> {
    const run = this.commandChain.then(() => this.runOne(cmd))
    this.commandChain = run.catch(() => undefined)
    return run
  }

  private async runOne(cmd: Command): Promise<AdapterCommandResult> {
    const def = this.profile.commands[cmd.action]
    if (def === undefined) {
      const known = Object.keys(this.profile.commands)
      return { status: 'unsupported', reason: `this unit takes ${known.length ? known.join(', ') : 'no commands'}` }
    }
    if (!this.running || this.shared === undefined) return { status: 'offline', reason: 'the adapter is not running' }
    // An offline unit fails at once: no write is queued behind other units' polls.
    if (this.presence === 'offline') return { status: 'offline', reason: `unit ${this.cfg.unit} is offline and does not answer: ${this.lastError}` }
    return runCommand(
      {
        unit: this.cfg.unit,
        refresh: () => this.pollOnce('command'),
        write: (req) => this.write(req),
        stateOf: (p) => this.decoder.stateOf(p),
        mismatched: (p) => this.decoder.isMismatched(p),
        readings: () => this.readings(),
        now: () => this.pool.timers.now(),
        sleep: (ms) => this.sleep(ms),
        stopping: () => !this.running || this.ctx.signal.aborted,
        pollIntervalMs: this.cfg.commandPollIntervalMs,
      },
      def,
    )
  }

  private readings(): Record<string, string | number> {
    const out: Record<string, string | number> = {}
    for (const p of Object.keys(this.profile.points)) {
      const r = this.decoder.reading(p)
      if (r !== undefined) out[p] = r
    }
    return out
  }

  private async write(req: ModbusRequest): Promise<void> {
    if (!this.shared) throw new Error('no bus')
    await this.shared.bus.transact(req, { timeoutMs: this.cfg.responseTimeoutMs, retries: this.cfg.retries, priority: 'command' })
  }

  private async pollLoop(): Promise<void> {
    await this.linkOpen()
    while (this.running) {
      const started = this.pool.timers.now()
      try {
        await this.pollOnce('poll')
      } catch (err) {
        await this.missed(err).catch((e: unknown) => this.ctx.log.error({ err: e }, 'supervision failed'))
      }
      // Fixed rate: the next poll is due an interval after this one started. An offline unit is
      // tried seldom, so a dead unit costs the bus one timeout per offline interval.
      const interval = this.presence === 'offline' ? this.cfg.offlinePollIntervalMs : this.cfg.pollIntervalMs
      await this.sleep(Math.max(0, started + interval - this.pool.timers.now()))
    }
  }

  /**
   * The first poll waits for the bus's link to open, for as long as the unit would take to be
   * declared offline: a device server slow to accept at start is not taken for a dead unit.
   */
  private async linkOpen(): Promise<void> {
    const transport = this.shared?.transport
    if (transport === undefined || transport.isOpen) return
    let opened = (): void => undefined
    const open = new Promise<void>((resolve) => {
      opened = resolve
      transport.once('open', resolve)
    })
    await Promise.race([open, this.sleep(this.cfg.pollIntervalMs * this.cfg.offlineAfterMisses)])
    transport.off('open', opened)
  }

  /** Resolves after `ms` on the injected timers, or at once when the adapter stops. */
  private sleep(ms: number): Promise<void> {
    const signal = this.stopSignal.signal
    if (signal.aborted) return Promise.resolve()
    const timers = this.pool.timers
    return new Promise((resolve) => {
      const done = (): void => {
        timers.clearTimeout(t)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const t = timers.setTimeout(done, ms)
      signal.addEventListener('abort', done)
    })
  }

  /** Reads every block, then decodes, publishes state and emits events. Rejects when a read fails. */
  private async pollOnce(priority: 'poll' | 'command'): Promise<void> {
    const shared = this.shared
    if (!shared) throw new Error('no bus')
    const raws: Record<string, number> = {}
    const frames: string[] = []
    // While offline: one attempt, no retries, so a dead unit holds the bus for one timeout only.
    const retries = this.presence === 'offline' ? 0 : this.cfg.retries
    for (const b of this.blocks) {
      const reply = await shared.bus.transact(readRequest(this.cfg.unit, b), { timeoutMs: this.cfg.responseTimeoutMs, retries, priority })
      if (reply === null) continue
      frames.push(reply.frame.toString('hex'))
      for (const name of b.points) raws[name] = rawValue(this.profile.points[name]!, b, reply.res)
    }
    this.counters.polls++
    const { state, events, mismatched } = this.decoder.update(raws, this.ctx.now(), frames.join(' '))
    this.publishReadings(state, mismatched)
    await this.answered()
    for (const e of events) {
      // Raised once per point, so this warns once per point too.
      if (e.type === 'profile.mismatch')
        this.ctx.log.warn({ unit: this.cfg.unit, ...e.attrs }, 'reading outside the profile: the register map does not fit the unit')
      await this.emit(e)
    }
  }

  /**
   * Readings and error counts into the retained state, only when something changed: a state
   * publish per poll would be a retained MQTT message per unit per second for nothing.
   */
  private publishReadings(readings: Record<string, string | number>, mismatched: string[]): void {
    const bus = this.shared?.bus
    const errors = {
      missedPolls: this.counters.missed,
      exceptionReplies: this.counters.exceptions,
      busTimeouts: bus?.stats.timeouts ?? 0,
      busLateReplies: bus?.stats.strayFrames ?? 0,
      busBadCrc: bus?.framer.stats.badCrc ?? 0,
      busDroppedBytes: bus?.framer.stats.droppedBytes ?? 0,
    }
    const key = JSON.stringify([readings, errors, mismatched])
    if (key === this.lastPublished) return
    this.lastPublished = key
    // Points outside the profile are named here, and their nonsense readings left out.
    this.ctx.setState({ ...readings, profileMismatch: mismatched, errors })
  }

  private async answered(): Promise<void> {
    this.lastSeenAt = this.ctx.now()
    this.misses = 0
    const was = this.presence
    if (was === 'online') return
    this.presence = 'online'
    this.ctx.setState({ online: true, reason: undefined })
    if (was === 'offline') {
      this.ctx.log.info({ unit: this.cfg.unit, downMs: this.ctx.now() - this.downSince }, 'unit answers again')
      await this.emit({ type: 'device.online', attrs: { unit: this.cfg.unit, downMs: this.ctx.now() - this.downSince } })
    } else {
      this.ctx.log.info({ unit: this.cfg.unit }, 'unit answers')
      // As every adapter: a platform that reads only events learns the unit is up at start.
      await this.emit({ type: 'device.online', attrs: { unit: this.cfg.unit } })
    }
  }

  private async missed(err: unknown): Promise<void> {
    if (!this.running) return
    // A Modbus TCP gateway answering 0A/0B for the unit behind it: the unit itself did not answer.
    if (err instanceof ModbusException && EXCEPTIONS[err.exceptionCode]?.group !== 'gateway') {
      // The unit is alive: it answered, with a refusal whose meaning says what to look at.
      this.counters.exceptions++
      this.exceptionLog.note(err)
      await this.answered()
      return
    }
    this.counters.missed++
    this.misses++
    this.lastError = errorMessage(err)
    this.ctx.log.debug({ unit: this.cfg.unit, misses: this.misses, err }, 'poll missed')
    if (this.presence === 'offline' || this.misses < this.cfg.offlineAfterMisses) return
    this.presence = 'offline'
    this.downSince = this.ctx.now()
    const reason = `no answer to ${this.misses} polls: ${this.lastError}`
    this.ctx.log.warn({ unit: this.cfg.unit, reason }, 'unit offline')
    this.ctx.setState({ online: false, reason })
    await this.emit({ type: 'device.offline', attrs: { unit: this.cfg.unit, reason, bus: this.shared?.name } })
  }

  private async emit(e: EventInput): Promise<void> {
    if (await this.sink.emit(e)) this.counters.events++
  }
}
