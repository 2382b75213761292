import type { Timers, TimerHandle } from '../../base/timers.js'
import type { GatewayEvent } from '../../base/events/event.js'
import { PRIORITY_LIFE_SAFETY } from '../../base/events/types.js'
import type { Point } from './points.js'
import { concerns, counts, isSupervision, stepsOf, type MatchEvent } from './match.js'
import type { WalkTestView } from './schema.js'

/** How a walk test ended: every point tested, the installer ended it, its time ran out, or the gateway stopped. */
export type EndedBy = 'all-tested' | 'installer' | 'time-limit' | 'stopped'

/** One step done: when (the gateway's receipt of the event) and by which event. */
export interface StepDone {
  step: string
  at: string
  event: string
  /** Device clock minus ours, when the event carries the device's time (see clocks.ts). */
  clockOffsetMs?: number
  clockBasis?: 'onvif-measured' | 'event-time'
}

export interface SessionOptions {
  id: string
  installer: string
  points: readonly Point[]
  /** Points left out (life-safety zones not included): listed in the report. */
  excluded: readonly Point[]
  includeLifeSafety: boolean
  timeLimitMs: number
  timers: Timers
  /** Every change of the view (a step, the end). */
  onChange(view: WalkTestView): void
  /** Once, when the session ends. */
  onEnd(session: WalkTestSession): void
}

/**
 * One walk test: the points on test, what each has seen, and the time limit on injected timers.
 * It decides which events are test events (`isTestEvent`, before their commit) and counts the
 * committed ones (`committed`). Ends once: complete, by the installer, or at the time limit.
 */
export class WalkTestSession {
  readonly startedAt: number
  readonly endsAt: number
  endedAt: number | undefined
  endedBy: EndedBy | undefined
  private readonly done = new Map<string, StepDone[]>()
  private readonly testedAt = new Map<string, string>()
  private timer: TimerHandle | undefined

  constructor(readonly o: SessionOptions) {
    this.startedAt = o.timers.now()
    this.endsAt = this.startedAt + o.timeLimitMs
    for (const p of o.points) this.done.set(p.key, [])
    this.timer = o.timers.setTimeout(() => this.end('time-limit'), o.timeLimitMs)
  }

  get id(): string {
    return this.o.id
  }

  get running(): boolean {
    return this.endedBy === undefined
  }

  get untested(): Point[] {
    return this.o.points.filter((p) => !this.testedAt.has(p.key))
  }

  stepsOf(key: string): readonly StepDone[] {
    return this.done.get(key) ?? []
  }

  testedAtOf(key: string): string | undefined {
    return this.testedAt.get(key)
  }

  /**
   * Whether an event about to be committed is a test event: one of a point on test, unless it is
   * a life-safety event and life safety was not included (a real fire during a test stays live),
   * or the gateway's supervision of the device's link (a device lost meanwhile is a real fault).
   */
  isTestEvent(ev: MatchEvent): boolean {
    if (!this.running) return false
    if (ev.priority === PRIORITY_LIFE_SAFETY && !this.o.includeLifeSafety) return false
    if (isSupervision(ev.type)) return false
    return this.o.points.some((p) => concerns(p, ev))
  }

  /** A committed event: a test event of a point moves it on. */
  committed(ev: GatewayEvent): void {
    if (!this.running || ev.test !== true) return
    let changed = false
    for (const p of this.o.points) {
      if (this.testedAt.has(p.key) || !concerns(p, ev)) continue
      const done = this.done.get(p.key)!
      for (const step of stepsOf(p, ev)) {
        if (
          !counts(
            p,
            done.map((d) => d.step),
            step,
          )
        )
          continue
        done.push({ step, at: ev.receivedAt, event: ev.id, ...clockOf(ev) })
        changed = true
      }
      if (p.expected.every((s) => done.some((d) => d.step === s))) this.testedAt.set(p.key, ev.receivedAt)
    }
    if (!changed) return
    if (this.untested.length === 0) this.end('all-tested')
    else this.o.onChange(this.view())
  }

  /** Ends the session (once; later calls do nothing). */
  end(by: EndedBy): void {
    if (!this.running) return
    this.o.timers.clearTimeout(this.timer)
    this.endedAt = this.o.timers.now()
    this.endedBy = by
    this.o.onChange(this.view())
    this.o.onEnd(this)
  }

  get result(): 'complete' | 'incomplete' {
    return this.untested.length === 0 ? 'complete' : 'incomplete'
  }

  view(): WalkTestView {
    const iso = (t: number) => new Date(t).toISOString()
    const state = this.running ? 'running' : this.endedBy === 'installer' || this.endedBy === 'stopped' ? 'ended' : this.result
    return {
      id: this.o.id,
      state,
      startedAt: iso(this.startedAt),
      endsAt: iso(this.endsAt),
      ...(this.endedAt !== undefined ? { endedAt: iso(this.endedAt), result: this.result, endedBy: this.endedBy } : {}),
      installer: this.o.installer,
      points: this.o.points.map((p) => {
        const testedAt = this.testedAt.get(p.key)
        return {
          key: p.key,
          device: p.device,
          ...(p.zone !== undefined ? { zone: p.zone } : {}),
          label: p.label,
          kind: p.kind,
          tested: testedAt !== undefined,
          ...(testedAt !== undefined ? { testedAt } : {}),
          steps: this.stepsOf(p.key).map((d) => d.step),
          expected: [...p.expected],
        }
      }),
      untested: this.untested.length,
    }
  }
}

/**
 * A device's clock against ours from a test event. ONVIF: the camera's own stamp (attrs.cameraTime)
 * against `occurredAt`, which the adapter brought onto our clock with its measured offset. Others:
 * the device's `occurredAt` against our receipt (this includes the transport's delay).
 */
function clockOf(ev: GatewayEvent): Pick<StepDone, 'clockOffsetMs' | 'clockBasis'> {
  const occurred = ev.occurredAt === undefined ? NaN : Date.parse(ev.occurredAt)
  if (!Number.isFinite(occurred)) return {}
  const camera = typeof ev.attrs['cameraTime'] === 'string' ? Date.parse(ev.attrs['cameraTime']) : NaN
  if (Number.isFinite(camera)) return { clockOffsetMs: camera - occurred, clockBasis: 'onvif-measured' }
  return { clockOffsetMs: occurred - Date.parse(ev.receivedAt), clockBasis: 'event-time' }
}
