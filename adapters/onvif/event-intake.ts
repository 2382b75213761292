import { XMLSerializer, type Element } from '@xmldom/xmldom'
import type { EventInput } from '../../base/events/event.js'
import type { TimerHandle, Timers } from '../../base/timers.js'
import { adapterTimers } from '../timers.js'
import type { AdapterContext } from '../types.js'
import { MotionDebounce } from './debounce.js'
import { toEventInput } from './decode.js'
import { KnownStates } from './known-state.js'
import { classify, parseNotification, type Notification } from './notification.js'

export interface EventIntakeOptions {
  ctx: Pick<AdapterContext, 'log' | 'now' | 'setState' | 'timers'>
  motionHoldMs: number
  /** Camera clock minus ours, for occurredAt. */
  clockOffsetMs(): number
  /** Counts what is state only and what is dropped. */
  counters: { states: number; badMessages: number }
  /** An event of the camera's own: the adapter adds a snapshot where configured, then emits it. */
  raise(input: EventInput): Promise<void>
  /** An event that takes no snapshot (motion.end). */
  emit(input: EventInput): Promise<void>
}

/**
 * One camera's notifications to events: classification, the state each detector last reported
 * (Initialized compared with it on every new subscription [ONVIF Core §9.2.2]) and motion
 * debouncing with its end timer.
 */
export class CameraEventIntake {
  private readonly motion: MotionDebounce
  private readonly known = new KnownStates()
  private readonly serializer = new XMLSerializer()
  private motionTimer: TimerHandle | undefined
  private pendingEnd: EventInput | undefined
  private stopped = false

  private readonly timers: Timers

  constructor(private readonly o: EventIntakeOptions) {
    this.timers = adapterTimers(o.ctx)
    this.motion = new MotionDebounce(o.motionHoldMs)
  }

  async handle(el: Element): Promise<void> {
    const { ctx } = this.o
    let n: Notification
    try {
      n = parseNotification(el)
    } catch (err) {
      this.o.counters.badMessages++
      ctx.log.warn({ err }, 'notification dropped')
      return
    }
    let c = classify(n)
    const source = `${n.topicPath}|${c.zone ?? ''}`
    if (c.type === 'state') {
      this.o.counters.states++
      if (c.signal !== 'other' && c.active !== undefined) ctx.setState({ [c.signal]: c.active })
      if (n.operation === 'Deleted') this.known.forget(source)
      // [ONVIF Core §9.2.2] Initialized is the state now: different from what we last knew, it
      // changed while we were not subscribed, and that change is the event we missed.
      if (c.changeType === undefined || c.active === undefined || !this.known.changed(source, c.active)) {
        // After a lost subscription, "still moving" keeps the motion event we had open (no new alarm).
        if (c.signal === 'motion' && c.active === true && this.motion.active) {
          this.motion.on(source)
          this.armMotionEnd()
        }
        return
      }
      c = { ...c, type: c.changeType }
    } else if (c.active !== undefined && c.signal !== 'other' && c.signal !== 'line') {
      this.known.changed(source, c.active)
      // Motion's state follows the debounced event, below.
      if (c.signal !== 'motion') ctx.setState({ [c.signal]: c.active })
    }
    const input = toEventInput(n, c, this.o.clockOffsetMs(), this.serializer.serializeToString(el))
    if (n.operation === 'Initialized') input.attrs = { ...input.attrs, initialized: true }
    if (c.signal === 'motion') {
      if (c.active !== true) {
        this.motion.off(source, ctx.now())
        this.pendingEnd = { ...input, type: 'motion.end' }
        this.armMotionEnd()
        return
      }
      if (!this.motion.on(source)) return
      this.armMotionEnd()
      ctx.setState({ motion: true })
    }
    await this.o.raise(input)
  }

  /** The subscription was lost: an open motion event ends after the hold unless motion is reported again. */
  subscriptionLost(): void {
    this.motion.reset(this.o.ctx.now())
    this.armMotionEnd()
  }

  stop(): void {
    this.stopped = true
    if (this.motionTimer) this.timers.clearTimeout(this.motionTimer)
  }

  private armMotionEnd(): void {
    if (this.motionTimer) this.timers.clearTimeout(this.motionTimer)
    this.motionTimer = undefined
    const at = this.motion.deadline()
    if (at === undefined || this.stopped) return
    this.motionTimer = this.timers.setTimeout(
      () => {
        this.motionTimer = undefined
        if (!this.motion.due(this.o.ctx.now())) return this.armMotionEnd()
        const end = this.pendingEnd ?? { type: 'motion.end', attrs: { reason: 'subscription lost' } }
        this.pendingEnd = undefined
        this.o.ctx.setState({ motion: false })
        void this.o.emit(end)
      },
      Math.max(0, at - this.o.ctx.now()),
    )
  }
}
