import { EventEmitter } from 'node:events'
import type { DeviceConfig } from '../../config/devices.js'
import type { Logger } from '../../base/log.js'
import type { Timers } from '../../base/timers.js'
import type { EventInput, GatewayEvent } from '../../base/events/event.js'
import { PRIORITY_SUPERVISION } from '../../base/events/types.js'
import { expectedPoints, type Point } from './points.js'
import { selectPoints, WalkTestError } from './scope.js'
import { WalkTestSession } from './session.js'
import { StartWalkTestSchema, type StartWalkTest, type WalkTestView } from './schema.js'
import { DeliveryWatch, uplinkChecks } from './path-checks.js'
import { deviceEntry, type InfoSource } from './device-info.js'
import { clockReport } from './clocks.js'
import { buildReport, type WalkTestReport } from './report.js'
import type { ReportStore } from './store.js'
import { clearRunning, endInterrupted, markRunning, type RunningMarker } from './interrupted.js'

/** How long a report waits for every uplink to acknowledge the walk test's end. */
export const PATH_CHECK_WAIT_MS = 30_000

export interface WalkTestsDeps {
  site: { id: string; name?: string | undefined }
  devices: readonly DeviceConfig[]
  uplinks: ReadonlyArray<{ id: string; type: string }>
  timers: Timers
  newId(): string
  /** Commits a gateway event (never rejects: failures are logged by the emitter). */
  gatewayEvent(input: EventInput): Promise<void>
  /** What is known of a device now: its adapter's `health().info`, else its retained state. */
  deviceInfo(device: string): { info: Record<string, unknown>; source: InfoSource } | undefined
  /** An uplink's own health (DC-09: receivers and their clock offsets). */
  uplinkHealth(uplink: string): Record<string, unknown> | undefined
  store: ReportStore
  log: Logger
  pathCheckWaitMs?: number
}

interface Running {
  session: WalkTestSession
  startedEvent: string
  report?: { id: string; sha256: string }
}

/**
 * The gateway's walk tests: one at a time. Marks test events before their commit, counts them
 * after, tells the uplinks (walktest.started / walktest.ended gateway events) and stores the
 * report once every uplink acknowledged the end (or the wait ran out). `update` carries every
 * change of the view, for the API's live stream.
 */
export class WalkTests extends EventEmitter<{ update: [WalkTestView] }> {
  readonly deliveries: DeliveryWatch
  private readonly all: Point[]
  private last: Running | undefined
  /** A walk test to end from before the last stop: a new one starts after it (they share the marker). */
  private recovering: Promise<unknown> = Promise.resolve()
  /** Reports being written: `stop()` waits for them. */
  private readonly pending = new Set<Promise<void>>()

  constructor(private readonly d: WalkTestsDeps) {
    super()
    this.all = expectedPoints(d.devices)
    this.deliveries = new DeliveryWatch(d.timers)
  }

  /** Where the reports are kept. */
  store(): ReportStore {
    return this.d.store
  }

  /** Every point the config has, for the console's start page. */
  points(): readonly Point[] {
    return this.all
  }

  /** The running walk test, else the last one since the gateway started. */
  current(): WalkTestView | undefined {
    return this.last ? this.viewOf(this.last) : undefined
  }

  /** Starts a walk test; rejects with WalkTestError (running, scope). */
  async start(input: StartWalkTest, installer: string): Promise<WalkTestView> {
    await this.recovering
    if (this.last?.session.running)
      throw new WalkTestError('running', `walk test ${this.last.session.id} is running: end it first (POST /api/v1/walktests/current/end)`)
    const req = StartWalkTestSchema.parse(input)
    const { points, excluded } = selectPoints(this.all, req)
    const startedEvent = this.d.newId()
    const run: Running = { startedEvent } as Running
    run.session = new WalkTestSession({
      id: this.d.newId(),
      installer: req.installer ?? installer,
      points,
      excluded,
      includeLifeSafety: req.includeLifeSafety,
      timeLimitMs: req.timeLimitMinutes * 60_000,
      timers: this.d.timers,
      onChange: () => this.emit('update', this.viewOf(run)),
      onEnd: (s) => this.track(this.finish(run, s)),
    })
    this.last = run
    this.deliveries.watch(startedEvent)
    const devices = [...new Set(points.map((p) => p.device))]
    this.d.log.info({ walktest: run.session.id, installer: run.session.o.installer, points: points.length, devices }, 'walk test started')
    const started = this.d.gatewayEvent({
      id: startedEvent,
      type: 'walktest.started',
      attrs: {
        walktest: run.session.id,
        installer: run.session.o.installer,
        devices,
        points: points.length,
        timeLimitMinutes: req.timeLimitMinutes,
        includeLifeSafety: req.includeLifeSafety,
        endsAt: new Date(run.session.endsAt).toISOString(),
      },
    })
    // Written after the started event is queued, so it is the first event of the test.
    const marker = { walktest: run.session.id, installer: run.session.o.installer, startedAt: new Date(run.session.startedAt).toISOString(), devices }
    await Promise.all([started, this.marker(() => markRunning(this.d.store.dir, marker))])
    const view = this.viewOf(run)
    this.emit('update', view)
    return view
  }

  /** Ends the running walk test as the installer; rejects with WalkTestError (not-running). */
  end(): WalkTestView {
    const run = this.last
    if (!run?.session.running) throw new WalkTestError('not-running', 'no walk test is running')
    run.session.end('installer')
    return this.viewOf(run)
  }

  /** Before a commit: marks the event `test: true` when it belongs to a point on test. */
  readonly mark = (ev: Omit<GatewayEvent, 'seq'>): void => {
    if (this.last?.session.isTestEvent(ev)) ev.test = true
  }

  /** After a commit, in commit order. */
  committed(ev: GatewayEvent): void {
    this.last?.session.committed(ev)
  }

  /** The uplink's forwarder reports an acknowledged event. */
  delivered(uplink: string, event: string): void {
    this.deliveries.delivered(uplink, event)
  }

  /**
   * At the gateway's stop: a running test ends (reported as stopped, without waiting for the
   * uplinks, which stop next), and reports in progress are written.
   */
  async stop(): Promise<void> {
    const run = this.last
    if (run?.session.running) run.session.end('stopped')
    // A report waiting for the uplinks' acknowledgements is written now: the uplinks stop next.
    this.deliveries.release()
    await Promise.allSettled([...this.pending])
  }

  /** At start: a walk test the gateway was running when it went down is reported ended (interrupted.ts). */
  recover(): Promise<RunningMarker | undefined> {
    const r = endInterrupted(this.d.store.dir, (input) => this.d.gatewayEvent(input), this.d.log).catch((err: unknown) => {
      this.d.log.error({ err, dir: this.d.store.dir }, 'cannot end the walk test interrupted by the last stop: check the walktests folder')
      return undefined
    })
    this.recovering = r
    return r
  }

  /** The running marker is a safety net: failing to write it is logged, the walk test goes on. */
  private async marker(write: () => Promise<void>): Promise<void> {
    try {
      await write()
    } catch (err) {
      this.d.log.error({ err, dir: this.d.store.dir }, 'cannot write the running walk test marker: check the walktests folder is writable')
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
  }

  private async finish(run: Running, s: WalkTestSession): Promise<void> {
    const untested = s.untested
    const endedEvent = this.d.newId()
    this.deliveries.watch(endedEvent)
    this.d.log.info({ walktest: s.id, result: s.result, endedBy: s.endedBy, untested: untested.length }, 'walk test ended')
    await this.d.gatewayEvent({
      id: endedEvent,
      type: 'walktest.ended',
      // Untested points are something the monitoring firm must follow up: supervision priority.
      ...(untested.length > 0 ? { priority: PRIORITY_SUPERVISION } : {}),
      attrs: {
        walktest: s.id,
        result: s.result,
        endedBy: s.endedBy,
        tested: s.o.points.length - untested.length,
        untested: untested.length,
        untestedPoints: untested.slice(0, 100).map((p) => ({ key: p.key, label: p.label })),
      },
    })
    await this.marker(() => clearRunning(this.d.store.dir))
    const wait = s.endedBy === 'stopped' ? 0 : (this.d.pathCheckWaitMs ?? PATH_CHECK_WAIT_MS)
    await this.deliveries.waitFor(
      endedEvent,
      this.d.uplinks.map((u) => u.id),
      wait,
    )
    try {
      const report = this.report(s, run.startedEvent, endedEvent)
      await this.d.store.save(report)
      run.report = { id: report.id, sha256: report.sha256 }
      this.d.log.info({ walktest: s.id, dir: this.d.store.dir, sha256: report.sha256 }, 'walk test report stored')
      this.emit('update', this.viewOf(run))
    } catch (err) {
      this.d.log.error({ err, walktest: s.id, dir: this.d.store.dir }, 'walk test report could not be stored: check the journal folder is writable')
    } finally {
      this.deliveries.forget(run.startedEvent)
      this.deliveries.forget(endedEvent)
    }
  }

  private report(s: WalkTestSession, started: string, ended: string): WalkTestReport {
    const ids = new Set(s.o.points.map((p) => p.device))
    const devices = this.d.devices.filter((c) => ids.has(c.id))
    const uplinks = this.d.uplinks.map((u) => ({ ...u, health: this.d.uplinkHealth(u.id) }))
    return buildReport({
      session: s,
      site: this.d.site,
      generatedAt: this.d.timers.now(),
      devices: devices.map((c) => {
        const known = this.d.deviceInfo(c.id)
        return deviceEntry(c, known?.info, known?.source ?? 'none')
      }),
      uplinks: uplinkChecks(this.deliveries, this.d.uplinks, started, ended),
      clocks: clockReport({
        at: this.d.timers.now(),
        points: s.o.points,
        steps: (k) => s.stepsOf(k),
        devices,
        uplinks,
        measured: (id) => this.measuredOffset(id),
      }),
    })
  }

  /** A clock offset the device's adapter measured itself (ONVIF), from its health. */
  private measuredOffset(device: string): number | undefined {
    const known = this.d.deviceInfo(device)
    const v = known?.source === 'health' ? known.info['clockOffsetMs'] : undefined
    return typeof v === 'number' ? v : undefined
  }

  private viewOf(run: Running): WalkTestView {
    return { ...run.session.view(), ...(run.report ? { report: run.report } : {}) }
  }
}
