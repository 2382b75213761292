import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../base/timers.js'
import type { AdapterContext } from './types.js'

/** The adapter's timers: the context's when the gateway (or a test) gives them, else the system's on the context's clock. */
export function adapterTimers(ctx: Pick<AdapterContext, 'now' | 'timers'>): Timers {
  return ctx.timers ?? { now: () => ctx.now(), setTimeout: SYSTEM_TIMERS.setTimeout, clearTimeout: SYSTEM_TIMERS.clearTimeout }
}

/** Runs `fn` every `ms` on `timers` (each run arms the next, so a slow run never piles up); returns the stop. */
export function every(timers: Timers, ms: number, fn: () => void): () => void {
  let handle: TimerHandle | undefined
  let stopped = false
  const tick = (): void => {
    if (stopped) return
    handle = timers.setTimeout(tick, ms)
    fn()
  }
  handle = timers.setTimeout(tick, ms)
  return () => {
    stopped = true
    timers.clearTimeout(handle)
  }
}
