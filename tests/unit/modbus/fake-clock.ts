import { vi } from 'vitest'
import type { Timers } from '../../../base/timers.js'

/** Timers that look up the globals at each call, so `vi.useFakeTimers()` drives what is injected. */
export const globalTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}

/** Fakes the clock and timers (not I/O or microtasks), from a fixed start. */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: 1_000_000 })
}
