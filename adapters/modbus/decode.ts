import type { EventInput } from '../../base/events/event.js'
import { defaultPriority, PRIORITY_SUPERVISION, type Kind } from '../../base/events/types.js'
import { scaled } from './plan.js'
import type { Point, Profile, StateEntry } from './profile.js'

/**
 * Pure: raw point values from a poll -> device state and events, per the profile. Holds what it
 * last reported per point, so events mark changes; time is passed in (no timers, no I/O).
 */
interface PointMemory {
  /** The raw value last reported (after debounce). */
  raw: number | undefined
  /** A different value seen since `since`, not yet held for the point's debounce time. */
  pending: { raw: number; since: number } | undefined
  lowActive: boolean | undefined
  /** A profile.mismatch was raised for this point: it is raised once per point. */
  mismatchReported: boolean
  /** The latest reading was outside the profile. */
  mismatchNow: boolean
}

const RAW_MAX_CHARS = 4096

export interface DecodeResult {
  /** What goes into the retained device state: a state label or the scaled value, per point. */
  state: Record<string, string | number>
  events: EventInput[]
  /** Points whose reading in this poll is outside what the profile allows (not in `state`, no events). */
  mismatched: string[]
}

export class UnitDecoder {
  private readonly memory = new Map<string, PointMemory>()

  constructor(
    private readonly profile: Profile,
    private readonly kind: Kind,
    private readonly unit: number,
    /** The profile's name in `profile.mismatch` events: a built-in's name or the device's own. */
    private readonly profileName = 'custom',
  ) {
    for (const name of Object.keys(profile.points))
      this.memory.set(name, { raw: undefined, pending: undefined, lowActive: undefined, mismatchReported: false, mismatchNow: false })
  }

  /** True while the point's latest reading is outside the profile. */
  isMismatched(point: string): boolean {
    return this.memory.get(point)?.mismatchNow === true
  }

  /** The reported state label of a point (undefined before its first reading or without states). */
  stateOf(point: string): string | undefined {
    const raw = this.memory.get(point)?.raw
    const p = this.profile.points[point]
    return raw === undefined || p === undefined ? undefined : labelOf(p, raw)
  }

  /** The current reading of a point as it would go into the state (label or scaled value). */
  reading(point: string): string | number | undefined {
    const raw = this.memory.get(point)?.raw
    const p = this.profile.points[point]
    if (raw === undefined || p === undefined) return undefined
    return p.states ? labelOf(p, raw) : scaled(p, raw)
  }

  /**
   * Takes one poll's raw values (every point of the profile). On the first reading of a point
   * only abnormal events (priority 3 or higher: faults, low battery, tamper) are raised, so a
   * restart does not replay every space's occupancy; the state topic carries the rest.
   */
  update(raws: Readonly<Record<string, number>>, now: number, raw?: string): DecodeResult {
    const events: EventInput[] = []
    const mismatched: string[] = []
    for (const [name, p] of Object.entries(this.profile.points)) {
      const v = raws[name]
      const m = this.memory.get(name)
      if (v === undefined || m === undefined) continue
      const expected = outsideProfile(p, v)
      m.mismatchNow = expected !== undefined
      if (expected !== undefined) {
        // Nonsense from a map that does not fit: neither state nor events, one fault per point.
        mismatched.push(name)
        if (!m.mismatchReported) events.push(this.mismatch(name, p, v, expected))
        m.mismatchReported = true
        continue
      }
      this.trackState(name, p, m, v, now, events)
      this.trackLow(name, p, m, v, events)
    }
    const state: Record<string, string | number> = {}
    for (const name of Object.keys(this.profile.points)) {
      const r = this.reading(name)
      if (r !== undefined && !mismatched.includes(name)) state[name] = r
    }
    for (const e of events) {
      e.attrs = { ...e.attrs, points: state }
      // The event schema keeps at most 4096 characters of raw frame.
      if (raw !== undefined) e.raw = raw.length > RAW_MAX_CHARS ? raw.slice(0, RAW_MAX_CHARS) : raw
    }
    return { state, events, mismatched }
  }

  private mismatch(name: string, p: Point, raw: number, expected: string): EventInput {
    const register = `${p.table} ${p.address}`
    const reading = `${scaled(p, raw)}${p.unit !== undefined ? ` ${p.unit}` : ''}`
    return {
      type: 'profile.mismatch',
      attrs: {
        unit: this.unit,
        point: name,
        register,
        rawValue: raw,
        value: scaled(p, raw),
        expected,
        profile: this.profileName,
        reason: `${register} (${name}) reads ${raw}${reading === String(raw) ? '' : ` (${reading})`}, outside ${expected} in profile "${this.profileName}": the unit's register map differs from the profile; check the vendor's map`,
      },
    }
  }

  private trackState(name: string, p: Point, m: PointMemory, v: number, now: number, out: EventInput[]): void {
    const first = m.raw === undefined
    if (v === m.raw) {
      m.pending = undefined
      return
    }
    if (!first && p.debounceMs > 0) {
      if (m.pending?.raw !== v) m.pending = { raw: v, since: now }
      if (now - m.pending.since < p.debounceMs) return
    }
    const before = m.raw
    m.raw = v
    m.pending = undefined
    if (!p.states) return
    const from = before === undefined ? undefined : p.states[String(before)]
    const to = p.states[String(v)]
    const attrs = (type: string, entry: StateEntry | undefined) => this.event(type, name, p, v, entry?.state ?? labelOf(p, v), before)
    if (from?.restoreEvent) out.push(attrs(from.restoreEvent, to))
    if (to?.event) {
      if (!first || this.abnormal(to.event)) out.push(attrs(to.event, to))
    } else if (to === undefined) {
      // A value the profile does not name is kept, never dropped. [ARCHITECTURE: closed list, `other`]
      out.push(attrs('other', undefined))
    }
  }

  private trackLow(name: string, p: Point, m: PointMemory, v: number, out: EventInput[]): void {
    if (!p.low) return
    const value = scaled(p, v)
    const was = m.lowActive
    const active = was === true ? value < p.low.below + p.low.hysteresis : value < p.low.below
    m.lowActive = active
    if (active === was) return
    if (active && (was === false || this.abnormal(p.low.event))) out.push(this.event(p.low.event, name, p, v, 'low', undefined))
    if (!active && was === true) out.push(this.event(p.low.restoreEvent, name, p, v, 'normal', undefined))
  }

  private abnormal(type: string): boolean {
    return (defaultPriority(this.kind, type) ?? PRIORITY_SUPERVISION) <= PRIORITY_SUPERVISION
  }

  private event(type: string, point: string, p: Point, raw: number, state: string, before: number | undefined): EventInput {
    const attrs: Record<string, unknown> = { unit: this.unit, point, state, value: scaled(p, raw), rawValue: raw }
    if (p.unit !== undefined) attrs['units'] = p.unit
    if (before !== undefined) attrs['previous'] = labelOf(p, before)
    return { type, attrs }
  }
}

/**
 * What the profile allows, in words, when `raw` is outside it; undefined when it fits (or the
 * profile declares no bounds for the point).
 */
export function outsideProfile(p: Point, raw: number): string | undefined {
  if (p.values !== undefined && !p.values.includes(raw)) return `the values ${p.values.join(', ')}`
  const r = p.range
  if (r === undefined) return undefined
  const v = scaled(p, raw)
  // A NaN (an f32 read from the wrong registers) is outside any declared range.
  if (Number.isFinite(v) && (r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max)) return undefined
  const unit = p.unit !== undefined ? ` ${p.unit}` : ''
  if (r.min === undefined) return `the range up to ${r.max}${unit}`
  if (r.max === undefined) return `the range from ${r.min}${unit}`
  return `the range ${r.min} to ${r.max}${unit}`
}

/** The state label of a raw value: the profile's name for it, or `unknown-<n>`. */
export function labelOf(p: Point, raw: number): string {
  return p.states?.[String(raw)]?.state ?? `unknown-${raw}`
}
