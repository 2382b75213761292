import http from 'node:http'
import type { Command } from '../../base/events/command.js'
import { EventSink } from '../event-sink.js'
import type { EventInput } from '../../base/events/event.js'
import type { AdapterCommandResult, AdapterContext, AdapterHealth, DeviceInfo } from '../types.js'
import { CameraShots } from './camera-shots.js'
import { CameraWatch } from './camera-watch.js'
import { OnvifClient } from './client.js'
import { DEFAULT_SUPERVISION_MS, deviceServiceUrl, type OnvifDeviceConfig } from './config.js'
import { newOnvifCounters, type OnvifCounters } from './counters.js'
import { CameraEventIntake } from './event-intake.js'
import type { LinkableAdapter, LinkedAlarm } from './linkage.js'
import { PullPointSession } from './pullpoint-session.js'
import type { DeviceInformation } from './responses.js'
import { SnapshotStore } from './snapshot-store.js'
import { Snapshotter } from './snapshotter.js'
import { Supervisor } from './supervisor.js'

export type { OnvifCounters } from './counters.js'

/**
 * One ONVIF camera, put together from its parts: the PullPoint session (events), the event intake
 * (motion debouncing, state), snapshots with linkage and the `snapshot` command, and supervision
 * (pings and the verdict). The onvif package's event loop is not used: see SPEC.md.
 */
export class OnvifCameraAdapter implements LinkableAdapter {
  readonly counters: OnvifCounters = newOnvifCounters()
  readonly client: OnvifClient
  private readonly agent: http.Agent
  private readonly sup: Supervisor
  private readonly intake: CameraEventIntake
  private readonly shots: CameraShots
  private readonly session: PullPointSession
  private readonly watch: CameraWatch
  private readonly sink: EventSink
  private stopping = false
  /** What GetDeviceInformation said, once asked. */
  private info: DeviceInfo | undefined

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
    this.sink = new EventSink((e) => ctx.emit(e), ctx.log)
    const emit = (input: EventInput): Promise<void> => this.emit(input)
    this.sup = new Supervisor(this.windowMs(), ctx.now())
    this.shots = new CameraShots({ cfg, ctx, counters: this.counters, emit, online: () => this.sup.isOnline })
    this.intake = new CameraEventIntake({
      ctx,
      motionHoldMs: cfg.motionHoldMs,
      clockOffsetMs: () => this.client.clockOffsetMs,
      counters: this.counters,
      raise: async (input) => {
        await this.shots.attachTo(input)
        await this.emit(input)
      },
      emit,
    })
    this.watch = new CameraWatch({
      cfg,
      ctx,
      client: this.client,
      sup: this.sup,
      windowMs: this.windowMs(),
      emit,
      answered: () => this.session.cameraAnswered(),
    })
    this.session = new PullPointSession({
      cfg,
      ctx,
      client: this.client,
      sup: this.sup,
      intake: this.intake,
      counters: this.counters,
      inform: () => this.inform(),
      supervise: () => this.watch.supervise(),
      subscriptionLost: () => {
        this.shots.forget()
        this.intake.subscriptionLost()
      },
    })
  }

  async start(): Promise<void> {
    if (this.cfg.snapshot.enabled) {
      const store = new SnapshotStore({
        root: this.cfg.snapshot.dir,
        camera: this.cfg.id,
        maxBytes: this.cfg.snapshot.maxBytes,
        maxAgeMs: this.cfg.snapshot.maxAgeMs,
        now: () => this.ctx.now(),
      })
      try {
        await store.init()
        this.shots.use(new Snapshotter(this.client, store, this.cfg.snapshot))
      } catch (err) {
        this.ctx.log.error({ dir: this.cfg.snapshot.dir, err }, 'snapshot directory unusable: snapshots off')
      }
    }
    if (this.stopping) return // stopped while the snapshot directory was being read
    const windowMs = this.windowMs()
    if (windowMs !== (this.cfg.supervisionMs ?? DEFAULT_SUPERVISION_MS)) {
      this.ctx.log.warn({ supervisionMs: this.cfg.supervisionMs, usedMs: windowMs }, 'supervision window shorter than one long poll: lengthened')
    }
    this.watch.start()
    this.session.start()
  }

  async stop(): Promise<void> {
    this.stopping = true
    this.watch.stop()
    this.shots.stop()
    this.intake.stop()
    await this.session.stop()
    this.agent.destroy()
  }

  onLinkedAlarm(event: LinkedAlarm): Promise<void> {
    return this.shots.onLinkedAlarm(event)
  }

  command(cmd: Command): Promise<AdapterCommandResult> {
    return this.shots.command(cmd)
  }

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
      info: { ...this.info, ...(this.client.clockMeasured ? { clockOffsetMs: this.client.clockOffsetMs } : {}) },
      supervision: { windowMs: this.windowMs() },
    }
  }

  /** The supervision window; never shorter than one long poll and its network margin. */
  private windowMs(): number {
    const wanted = this.cfg.supervisionMs ?? DEFAULT_SUPERVISION_MS
    return Math.max(wanted, this.cfg.pullTimeoutMs + this.cfg.requestTimeoutMs + 1000)
  }

  /** Device information, once: logged and kept in the device's state for installers. */
  private async inform(): Promise<void> {
    if (this.info !== undefined) return
    const info = await this.client.deviceInformation()
    this.info = cameraInfo(info)
    this.ctx.log.info(info, 'camera identified')
    this.ctx.setState({ manufacturer: info.manufacturer, model: info.model, firmware: info.firmwareVersion })
  }

  private async emit(input: EventInput): Promise<void> {
    if (await this.sink.emit(input)) this.counters.events++
    else this.counters.emitErrors++
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
