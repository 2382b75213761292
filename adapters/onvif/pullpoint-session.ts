import { errorMessage } from '../../base/errors.js'
import { Backoff } from '../../base/backoff.js'
import type { Timers } from '../../base/timers.js'
import { adapterTimers } from '../timers.js'
import type { AdapterContext } from '../types.js'
import { type OnvifClient, SoapFaultError } from './client.js'
import type { OnvifDeviceConfig } from './config.js'
import type { OnvifCounters } from './counters.js'
import type { CameraEventIntake } from './event-intake.js'
import { CameraAuthError, CameraSetupError, CameraUnreachableError } from './http.js'
import type { Subscription, SubscriptionTimes } from './responses.js'
import type { Supervisor } from './supervisor.js'

export interface PullPointSessionOptions {
  cfg: OnvifDeviceConfig
  ctx: AdapterContext
  client: OnvifClient
  sup: Supervisor
  intake: CameraEventIntake
  counters: OnvifCounters
  /** Asks the camera who it is, once, before the first subscription. */
  inform(): Promise<void>
  /** Reports a change of the camera's state now (a subscription made, a refusal). */
  supervise(): void
  /** The camera forgot the subscription (a reboot): what depended on it is fetched again. */
  subscriptionLost(): void
}

/**
 * The camera's PullPoint loop [ONVIF Core §9.1.1]: subscribe, long-poll PullMessages, Renew only
 * near termination, re-subscribe on ResourceUnknown, back off after failures, Unsubscribe on stop.
 */
export class PullPointSession {
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

  private readonly timers: Timers

  constructor(private readonly o: PullPointSessionOptions) {
    this.backoff = new Backoff(o.cfg.backoff)
    this.timers = adapterTimers(o.ctx)
  }

  start(): void {
    this.loop = this.run()
  }

  /** Ends the loop (an open long poll is aborted) and frees the camera's subscription. */
  async stop(): Promise<void> {
    this.stopping = true
    this.wake?.()
    this.pullAbort?.abort()
    await this.loop
    const sub = this.sub
    this.sub = undefined
    if (sub) {
      // [WS-BaseNotification §6.2] free the camera's slot now rather than at termination.
      await this.o.client.unsubscribe(sub).catch((err: unknown) => this.o.ctx.log.debug({ err }, 'unsubscribe failed'))
    }
  }

  /** The camera answered a ping: a loop sitting out a backoff step after no answer need not wait on. */
  cameraAnswered(): void {
    if (this.awaitingCamera) this.wake?.()
  }

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
    const { cfg, ctx, client, sup } = this.o
    // [ONVIF Core §5.12.1] measure the clock before every (re)subscription: a reboot may reset it.
    await client.measureClock()
    sup.contact(ctx.now())
    if (this.sub === undefined || this.subEndsAt <= ctx.now()) {
      this.sub = undefined
      if (Object.keys(client.services).length === 0) await client.discoverServices()
      await this.o.inform()
      this.sub = await client.createPullPoint(cfg.subscriptionMs)
      this.pulledOnSub = false
      this.track(this.sub, cfg.subscriptionMs)
      ctx.log.info({ address: this.sub.address, clockOffsetMs: client.clockOffsetMs }, 'camera subscribed')
      sup.refusedNoMore()
      this.lastFailure = undefined
      sup.eventsOk(ctx.now())
      this.o.supervise()
    }
    while (!this.stopping) {
      const sub = this.sub
      if (this.subEndsAt - ctx.now() < cfg.pullTimeoutMs + cfg.renewMarginMs) {
        await this.renewOrReplace(sub)
        continue
      }
      this.pullAbort = new AbortController()
      const res = await client.pull(sub, cfg.pullTimeoutMs, cfg.messageLimit, this.pullAbort.signal)
      this.o.counters.pulls++
      this.backoff.reset()
      this.pulledOnSub = true
      this.lastFailure = undefined
      sup.eventsOk(ctx.now())
      this.track(res, undefined)
      for (const m of res.messages) await this.o.intake.handle(m)
    }
  }

  /**
   * Renew [WS-BaseNotification §6.1]. A camera that refuses Renew (some firmware faults with
   * ActionNotSupported) gets a fresh subscription before the old one ends; its Initialized
   * messages repeat no alarm (only a detector that changed meanwhile raises one).
   */
  private async renewOrReplace(sub: Subscription): Promise<void> {
    const { cfg, client } = this.o
    try {
      this.track(await client.renew(sub, cfg.subscriptionMs), cfg.subscriptionMs)
      this.o.counters.renews++
      return
    } catch (err) {
      if (!(err instanceof SoapFaultError) || err.fault.resourceUnknown) throw err
      this.o.ctx.log.warn({ err }, 'renew refused: replacing the subscription')
    }
    await client.unsubscribe(sub).catch(() => undefined)
    this.sub = await client.createPullPoint(cfg.subscriptionMs)
    this.pulledOnSub = false
    this.track(this.sub, cfg.subscriptionMs)
    this.o.counters.resubscribes++
  }

  /** Termination on our clock from the camera's CurrentTime/TerminationTime difference (skew-proof). */
  private track(t: SubscriptionTimes, fallbackMs: number | undefined): void {
    const now = this.o.ctx.now()
    if (t.terminationTime !== undefined && t.currentTime !== undefined) {
      this.subEndsAt = now + (t.terminationTime - t.currentTime)
    } else if (fallbackMs !== undefined) {
      this.subEndsAt = now + fallbackMs
    }
  }

  /** Decides what a failure means and how long to wait before the next session. */
  private failed(err: unknown): number {
    const { ctx, sup, counters } = this.o
    const msg = errorMessage(err)
    const now = ctx.now()
    if (err instanceof CameraSetupError) {
      // It answered, and refused what we configured (credentials, address): a person must act.
      sup.contact(now)
      sup.refused(msg)
      if (this.lastFailure !== msg) ctx.log.error({ err }, err instanceof CameraAuthError ? 'camera refused the credentials' : 'camera address is wrong')
      else ctx.log.debug({ err }, 'camera still refuses')
      this.lastFailure = msg
      this.o.supervise()
      return this.backoff.next()
    }
    counters.pullErrors++
    if (err instanceof CameraUnreachableError) counters.timeouts++
    sup.eventsFailed(msg)
    if (err instanceof CameraUnreachableError) sup.failure(msg)
    else sup.contact(now) // a fault, an HTTP error, a bad reply: it answered
    if (err instanceof SoapFaultError && err.fault.resourceUnknown) {
      // The camera forgot the subscription (a reboot, or it expired it): subscribe again at once.
      counters.resubscribes++
      this.sub = undefined
      this.o.subscriptionLost()
      ctx.log.warn({ err }, 'subscription lost: subscribing again')
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
    if (this.lastFailure !== msg) ctx.log.warn({ err, retryInMs }, 'camera request failed')
    else ctx.log.debug({ err, retryInMs }, 'camera request failed again')
    this.lastFailure = msg
    return retryInMs
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        this.timers.clearTimeout(t)
        this.wake = undefined
        this.awaitingCamera = false
        resolve()
      }
      const t = this.timers.setTimeout(done, ms)
      this.wake = done
    })
  }
}
