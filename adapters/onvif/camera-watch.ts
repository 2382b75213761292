import { errorMessage } from '../../base/errors.js'
import type { EventInput } from '../../base/events/event.js'
import type { Timers } from '../../base/timers.js'
import { adapterTimers, every } from '../timers.js'
import type { AdapterContext } from '../types.js'
import type { OnvifClient } from './client.js'
import type { OnvifDeviceConfig } from './config.js'
import { CameraSetupError, CameraUnreachableError } from './http.js'
import type { Supervisor } from './supervisor.js'

export interface CameraWatchOptions {
  cfg: OnvifDeviceConfig
  ctx: AdapterContext
  client: OnvifClient
  sup: Supervisor
  windowMs: number
  /** Commits an event of this camera; never rejects. */
  emit(input: EventInput): Promise<void>
  /** A ping got an answer: the PullPoint loop may stop sitting out its backoff. */
  answered(): void
}

/**
 * Supervision of one camera: an unauthenticated ping (GetSystemDateAndTime) every
 * `pingIntervalMs`, and the supervisor's verdict checked often enough to report a change within a
 * tenth of the window; each change goes to the state and, online or offline, as an event.
 */
export class CameraWatch {
  private readonly timers: Timers
  private readonly stops: Array<() => void> = []
  private pinging = false
  private stopping = false

  constructor(private readonly o: CameraWatchOptions) {
    this.timers = adapterTimers(o.ctx)
  }

  start(): void {
    const { pingIntervalMs } = this.o.cfg
    // Pings start at a random phase: hundreds of cameras started together must not ping in bursts.
    const phase = this.timers.setTimeout(() => {
      if (!this.stopping) this.stops.push(every(this.timers, pingIntervalMs, () => void this.ping()))
    }, Math.random() * pingIntervalMs)
    this.stops.push(() => this.timers.clearTimeout(phase))
    this.stops.push(every(this.timers, Math.max(100, Math.min(500, this.o.windowMs / 10)), () => this.supervise()))
  }

  stop(): void {
    this.stopping = true
    for (const stop of this.stops.splice(0)) stop()
  }

  /** Unauthenticated GetSystemDateAndTime: proves the camera answers and keeps the clock offset fresh. */
  private async ping(): Promise<void> {
    const { ctx, client, sup } = this.o
    if (this.pinging || this.stopping) return
    this.pinging = true
    try {
      await client.measureClock()
      sup.contact(ctx.now())
      // The camera is back: the loop need not sit out the rest of a backoff step (up to backoff.maxMs).
      this.o.answered()
    } catch (err) {
      if (err instanceof CameraUnreachableError) sup.failure(errorMessage(err))
      else {
        // It answered (a camera that wants credentials even for the clock is there).
        sup.contact(ctx.now())
        if (err instanceof CameraSetupError) sup.refused(errorMessage(err))
      }
    } finally {
      this.pinging = false
    }
    this.supervise()
  }

  /** Reports a change of the supervisor's verdict, if any. */
  supervise(): void {
    const { ctx, sup } = this.o
    if (this.stopping) return
    const t = sup.check(ctx.now())
    if (!t) return
    ctx.setState({ online: t.online, reason: t.reason })
    if (t.update) return void ctx.log.info({ reason: t.reason }, 'camera still offline, for another reason')
    // The first verdict after start is an event too, as with every adapter: a platform that reads
    // only events learns that the camera came up.
    if (t.online) ctx.log.info('camera online')
    else ctx.log.warn({ reason: t.reason }, 'camera offline')
    void this.o.emit({ type: t.online ? 'device.online' : 'device.offline', attrs: { reason: t.reason } })
  }
}
