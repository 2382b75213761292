import http from 'node:http'
import { errorMessage } from '../../base/errors.js'
import { Backoff } from '../../base/backoff.js'
import type { EventInput } from '../../base/events/event.js'
import type { Command } from '../../base/events/command.js'
import type { AdapterCommandResult, AdapterContext, AdapterHealth, DeviceInfo } from '../types.js'
import type { LinkableAdapter, LinkedAlarm } from './linkage.js'
import { OnvifClient, SoapFaultError } from './client.js'
import { DEFAULT_SUPERVISION_MS, deviceServiceUrl, type OnvifDeviceConfig } from './config.js'
import { CameraEventIntake } from './event-intake.js'
import { CameraAuthError, CameraSetupError, CameraUnreachableError } from './http.js'
import type { DeviceInformation, Subscription, SubscriptionTimes } from './responses.js'
import { SnapshotStore } from './snapshot-store.js'
import { Snapshotter } from './snapshotter.js'
import { Supervisor } from './supervisor.js'

/** Counted, never silently dropped; read by the health API. */
export interface OnvifCounters {
  events: number
  states: number
  badMessages: number
  pullErrors: number
  resubscribes: number
  renews: number
  snapshots: number
  snapshotErrors: number
  linked: number
  emitErrors: number
  /** Pull responses received (the camera's frames, as the health API counts them). */
  pulls: number
  /** Requests that got no answer (timeout, refused or reset connection). */
  timeouts: number
}

/**
 * One ONVIF camera: its own PullPoint loop (long-poll PullMessages, Renew only near termination,
 * Unsubscribe on stop, re-subscribe on ResourceUnknown), motion debouncing, snapshots, linkage and
 * supervision. The onvif package's event loop is not used: see SPEC.md.
 */
export class OnvifCameraAdapter implements LinkableAdapter {
  readonly counters: OnvifCounters = { events: 0, states: 0, badMessages: 0, pullErrors: 0, resubscribes: 0, renews: 0, snapshots: 0, snapshotErrors: 0, linked: 0, emitErrors: 0, pulls: 0, timeouts: 0 }
  readonly client: OnvifClient
  private readonly agent: http.Agent
  private readonly sup: Supervisor
  private readonly intake: CameraEventIntake
  private snapshots: Snapshotter | undefined
  private sub: Subscription | undefined
  /** When the subscription ends, on our clock. */
  private subEndsAt = 0
  /** Capped exponential backoff with full jitter (base/backoff.ts). */
  private readonly backoff: Backoff
  /** The current subscription has served a pull: losing it now means the camera forgot it (reboot, expiry). */
  private pulledOnSub = false
  /** The loop is backing off after the camera did not answer: a ping that gets an answer wakes it. */
  private awaitingCamera = false
  /** The last failure logged at warn: repeats go to debug until something succeeds. */
  private lastFailure: string | undefined
  private stopping = false
  private loop: Promise<void> | undefined
  private pullAbort: AbortController | undefined
  private wake: (() => void) | undefined
  private readonly timers: NodeJS.Timeout[] = []
  private pinging = false
  private informed = false
  /** What GetDeviceInformation said, once asked. */
  private info: DeviceInfo = {}

  constructor(
    private readonly cfg: OnvifDeviceConfig,
    private readonly ctx: AdapterContext,
  ) {
    // One small keep-alive pool per camera: the long poll holds one socket, pings and snapshots the other.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
    const creds = cfg.username !== undefined ? { username: cfg.username, password: cfg.password ?? '', basic: cfg.basicAuth } : undefined
    this.client = new OnvifClient({
      label: cfg.id,
      deviceUrl: deviceServiceUrl(cfg.address),
      ...(creds ? { creds } : {}),
      now: () => ctx.now(),
      timeoutMs: cfg.requestTimeoutMs,
      maxResponseBytes: 4 * 1024 * 1024,
      agent: this.agent,
    })
    this.sup = new Supervisor(this.windowMs(), ctx.now())
    this.intake = new CameraEventIntake({
      ctx,
      motionHoldMs: cfg.motionHoldMs,
      clockOffsetMs: () => this.client.clockOffsetMs,
      counters: this.counters,
      raise: async (input) => {
        await this.withSnapshot(input)
        await this.emit(input)
      },
      emit: (input) => this.emit(input),
    })
    this.backoff = new Backoff(cfg.backoff)
  }

  async start(): Promise<void> {
    if (this.cfg.snapshot.enabled) {
      const store = new SnapshotStore({ root: this.cfg.snapshot.dir, camera: this.cfg.id, maxBytes: this.cfg.snapshot.maxBytes, maxAgeMs: this.cfg.snapshot.maxAgeMs, now: () => this.ctx.now() })
      try {
        await store.init()
        this.snapshots = new Snapshotter(this.client, store, this.cfg.snapshot)
      } catch (err) {
        this.ctx.log.error({ dir: this.cfg.snapshot.dir, err }, 'snapshot directory unusable: snapshots off')
      }
    }
    if (this.stopping) return // stopped while the snapshot directory was being read
    const windowMs = this.windowMs()
    if (windowMs !== (this.cfg.supervisionMs ?? DEFAULT_SUPERVISION_MS)) {
      this.ctx.log.warn({ supervisionMs: this.cfg.supervisionMs, usedMs: windowMs }, 'supervision window shorter than one long poll: lengthened')
    }
    // Pings start at a random phase: hundreds of cameras started together must not ping in bursts.
    const phase = setTimeout(() => this.timers.push(setInterval(() => void this.ping(), this.cfg.pingIntervalMs)), Math.random() * this.cfg.pingIntervalMs)
    this.timers.push(phase)
    this.timers.push(setInterval(() => this.supervise(), Math.max(100, Math.min(500, windowMs / 10))))
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.stopping = true
    for (const t of this.timers) clearTimeout(t)
    this.intake.stop()
    this.wake?.()
    this.pullAbort?.abort()
    await this.loop
    const sub = this.sub
    this.sub = undefined
    if (sub) {
      // [WS-BaseNotification §6.2] free the camera's slot now rather than at termination.
      await this.client.unsubscribe(sub).catch((err: unknown) => this.ctx.log.debug({ err }, 'unsubscribe failed'))
    }
    this.agent.destroy()
  }

  // ---- the PullPoint loop ------------------------------------------------------------------
  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.session()
      } catch (err) {
        if (this.stopping) break
        await this.sleep(this.failed(err))
      }
    }
  }

  private async session(): Promise<void> {
    // [ONVIF Core §5.12.1] measure the clock before every (re)subscription: a reboot may reset it.
    await this.client.measureClock()
    this.sup.contact(this.ctx.now())
    if (this.sub === undefined || this.subEndsAt <= this.ctx.now()) {
      this.sub = undefined
      if (Object.keys(this.client.services).length === 0) await this.client.discoverServices()
      if (!this.informed) await this.inform()
      this.sub = await this.client.createPullPoint(this.cfg.subscriptionMs)
      this.pulledOnSub = false
      this.track(this.sub, this.cfg.subscriptionMs)
      this.ctx.log.info({ address: this.sub.address, clockOffsetMs: this.client.clockOffsetMs }, 'camera subscribed')
      this.sup.refusedNoMore()
      this.lastFailure = undefined
      this.sup.eventsOk(this.ctx.now())
      this.supervise()
    }
    while (!this.stopping) {
      const sub = this.sub
      if (this.subEndsAt - this.ctx.now() < this.cfg.pullTimeoutMs + this.cfg.renewMarginMs) {
        await this.renewOrReplace(sub)
        continue
      }
      this.pullAbort = new AbortController()
      const res = await this.client.pull(sub, this.cfg.pullTimeoutMs, this.cfg.messageLimit, this.pullAbort.signal)
      this.counters.pulls++
      this.backoff.reset()
      this.pulledOnSub = true
      this.lastFailure = undefined
      this.sup.eventsOk(this.ctx.now())
      this.track(res, undefined)
      for (const m of res.messages) await this.intake.handle(m)
    }
  }

  /**
   * Renew [WS-BaseNotification §6.1]. A camera that refuses Renew (some firmware faults with
   * ActionNotSupported) gets a fresh subscription before the old one ends; its Initialized
   * messages repeat no alarm (only a detector that changed meanwhile raises one).
   */
  private async renewOrReplace(sub: Subscription): Promise<void> {
    try {
      this.track(await this.client.renew(sub, this.cfg.subscriptionMs), this.cfg.subscriptionMs)
      this.counters.renews++
      return
    } catch (err) {
      if (!(err instanceof SoapFaultError) || err.fault.resourceUnknown) throw err
      this.ctx.log.warn({ err }, 'renew refused: replacing the subscription')
    }
    await this.client.unsubscribe(sub).catch(() => undefined)
    this.sub = await this.client.createPullPoint(this.cfg.subscriptionMs)
    this.pulledOnSub = false
    this.track(this.sub, this.cfg.subscriptionMs)
    this.counters.resubscribes++
  }

  /** The supervision window; never shorter than one long poll and its network margin. */
  private windowMs(): number {
    const wanted = this.cfg.supervisionMs ?? DEFAULT_SUPERVISION_MS
    return Math.max(wanted, this.cfg.pullTimeoutMs + this.cfg.requestTimeoutMs + 1000)
  }

  /** Device information, once: logged and kept in the device's state for installers. */
  private async inform(): Promise<void> {
    const info = await this.client.deviceInformation()
    this.informed = true
    this.info = cameraInfo(info)
    this.ctx.log.info(info, 'camera identified')
    this.ctx.setState({ manufacturer: info.manufacturer, model: info.model, firmware: info.firmwareVersion })
  }

  /** Termination on our clock from the camera's CurrentTime/TerminationTime difference (skew-proof). */
  private track(t: SubscriptionTimes, fallbackMs: number | undefined): void {
    if (t.terminationTime !== undefined && t.currentTime !== undefined) {
      this.subEndsAt = this.ctx.now() + (t.terminationTime - t.currentTime)
    } else if (fallbackMs !== undefined) {
      this.subEndsAt = this.ctx.now() + fallbackMs
    }
  }

  /** Decides what a failure means and how long to wait before the next session. */
  private failed(err: unknown): number {
    const msg = errorMessage(err)
    const now = this.ctx.now()
    if (err instanceof CameraSetupError) {
      // It answered, and refused what we configured (credentials, address): a person must act.
      this.sup.contact(now)
      this.sup.refused(msg)
      if (this.lastFailure !== msg) this.ctx.log.error({ err }, err instanceof CameraAuthError ? 'camera refused the credentials' : 'camera address is wrong')
      else this.ctx.log.debug({ err }, 'camera still refuses')
      this.lastFailure = msg
      this.supervise()
      return this.backoff.next()
    }
    this.counters.pullErrors++
    if (err instanceof CameraUnreachableError) this.counters.timeouts++
    this.sup.eventsFailed(msg)
    if (err instanceof CameraUnreachableError) this.sup.failure(msg)
    else this.sup.contact(now) // a fault, an HTTP error, a bad reply: it answered
    if (err instanceof SoapFaultError && err.fault.resourceUnknown) {
      // The camera forgot the subscription (a reboot, or it expired it): subscribe again at once.
      this.counters.resubscribes++
      this.sub = undefined
      this.snapshots?.forget()
      this.intake.subscriptionLost()
      this.ctx.log.warn({ err }, 'subscription lost: subscribing again')
      // It answered, so whatever it cost to reach it before is history. Only a camera that forgets
      // each new subscription before serving one pull is retried with backoff.
      if (!this.pulledOnSub) return this.backoff.next()
      this.pulledOnSub = false
      this.backoff.reset()
      return 0
    }
    const retryInMs = this.backoff.next()
    this.awaitingCamera = err instanceof CameraUnreachableError
    // Repeating failures: said once, then counted (pullErrors) at debug.
    if (this.lastFailure !== msg) this.ctx.log.warn({ err, retryInMs }, 'camera request failed')
    else this.ctx.log.debug({ err, retryInMs }, 'camera request failed again')
    this.lastFailure = msg
    return retryInMs
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t)
        this.wake = undefined
        this.awaitingCamera = false
        resolve()
      }
      const t = setTimeout(done, ms)
      this.wake = done
    })
  }

  // ---- the camera's own events ------------------------------------------------------------
  private async withSnapshot(input: EventInput): Promise<void> {
    if (!this.snapshots || !this.cfg.snapshot.onTypes.includes(input.type)) return
    const shot = await this.snapshots.take()
    const attrs = (input.attrs ??= {})
    if (shot.ok) {
      this.counters.snapshots++
      attrs['snapshot'] = shot.snapshot
    } else {
      this.counters.snapshotErrors++
      attrs['snapshotError'] = shot.error
      this.ctx.log.warn({ err: shot.err }, 'snapshot failed')
    }
  }

  private async emit(input: EventInput): Promise<void> {
    try {
      await this.ctx.emit(input)
      this.counters.events++
    } catch (err) {
      this.counters.emitErrors++
      this.ctx.log.error({ type: input.type, err }, 'camera event not committed')
    }
  }

  // ---- linkage -----------------------------------------------------------------------------
  /**
   * Called by the gateway for every committed event: when this camera is linked to the event's
   * device (and zone and type), it takes a snapshot and emits a `snapshot` event pointing at the
   * alarm. Never throws.
   */
  async onLinkedAlarm(event: LinkedAlarm): Promise<void> {
    if (event.device === this.cfg.id || event.type === 'snapshot' || !this.snapshots || this.stopping) return
    const linked = this.cfg.linkage.some(
      (l) =>
        l.device === event.device &&
        (l.zones === undefined || (event.zone !== undefined && l.zones.includes(event.zone))) &&
        (l.types === undefined ? event.priority <= 2 : l.types.includes(event.type)),
    )
    if (!linked) return
    this.counters.linked++
    const shot = await this.snapshots.take()
    if (!shot.ok) {
      this.counters.snapshotErrors++
      this.ctx.log.warn({ trigger: event.id, err: shot.err }, 'linked snapshot failed')
      return
    }
    this.counters.snapshots++
    const trigger: Record<string, unknown> = { id: event.id, device: event.device, type: event.type }
    if (event.zone !== undefined) trigger['zone'] = event.zone
    await this.emit({ type: 'snapshot', priority: Math.min(4, Math.max(1, event.priority)) as 1 | 2 | 3 | 4, attrs: { snapshot: shot.snapshot, trigger } })
  }

  // ---- commands ------------------------------------------------------------------------------
  /**
   * `snapshot`: take one now. The result carries the snapshot reference, and a `snapshot` event
   * records it in the journal for the platform. Other actions are unsupported.
   */
  async command(cmd: Command): Promise<AdapterCommandResult> {
    if (cmd.action !== 'snapshot') return { status: 'unsupported', reason: `a camera takes "snapshot" only, not "${cmd.action}"` }
    if (!this.snapshots) return { status: 'refused', reason: 'snapshots are off for this camera' }
    if (this.sup.isOnline === false) return { status: 'offline', reason: 'camera offline' }
    const shot = await this.snapshots.take()
    if (!shot.ok) {
      this.counters.snapshotErrors++
      return { status: 'error', reason: shot.error }
    }
    this.counters.snapshots++
    await this.emit({ type: 'snapshot', attrs: { snapshot: shot.snapshot, command: cmd.id } })
    return { status: 'ok', data: { snapshot: shot.snapshot } }
  }

  // ---- supervision -------------------------------------------------------------------------
  /**
   * Pulls received (frames), subscriptions made again (retries), notifications we could not read
   * (crcErrors), requests that got no answer (timeouts); the camera's GetDeviceInformation.
   */
  health(): AdapterHealth {
    const c = this.counters
    return {
      online: this.sup.isOnline === true,
      ...(this.sup.lastContactAt !== undefined ? { lastSeenAt: this.sup.lastContactAt } : {}),
      link: { frames: c.pulls, retries: c.resubscribes, crcErrors: c.badMessages, timeouts: c.timeouts, droppedBytes: 0 },
      info: { ...this.info },
      supervision: { windowMs: this.windowMs() },
    }
  }

  /** Unauthenticated GetSystemDateAndTime: proves the camera answers and keeps the clock offset fresh. */
  private async ping(): Promise<void> {
    if (this.pinging || this.stopping) return
    this.pinging = true
    try {
      await this.client.measureClock()
      this.sup.contact(this.ctx.now())
      // The camera is back: the loop need not sit out the rest of a backoff step (up to backoff.maxMs).
      if (this.awaitingCamera) this.wake?.()
    } catch (err) {
      if (err instanceof CameraUnreachableError) this.sup.failure(errorMessage(err))
      else {
        // It answered (a camera that wants credentials even for the clock is there).
        this.sup.contact(this.ctx.now())
        if (err instanceof CameraSetupError) this.sup.refused(errorMessage(err))
      }
    } finally {
      this.pinging = false
    }
    this.supervise()
  }

  private supervise(): void {
    if (this.stopping) return
    const t = this.sup.check(this.ctx.now())
    if (!t) return
    this.ctx.setState({ online: t.online, reason: t.reason })
    if (t.update) return void this.ctx.log.info({ reason: t.reason }, 'camera still offline, for another reason')
    // The first verdict after start is an event too, as with every adapter: a platform that reads
    // only events learns that the camera came up.
    if (t.online) this.ctx.log.info('camera online')
    else this.ctx.log.warn({ reason: t.reason }, 'camera offline')
    void this.emit({ type: t.online ? 'device.online' : 'device.offline', attrs: { reason: t.reason } })
  }
}

function cameraInfo(d: DeviceInformation): DeviceInfo {
  const info: DeviceInfo = {}
  if (d.manufacturer) info.vendor = d.manufacturer
  if (d.model) info.model = d.model
  if (d.firmwareVersion) info.firmware = d.firmwareVersion
  if (d.serialNumber) info.serial = d.serialNumber
  return info
}
