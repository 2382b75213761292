/**
 * The clock and timers the bus, the poll loop and the simulator's wire wait on, injected so tests
 * drive them with fake timers instead of sleeping. [ARCHITECTURE: every component that waits
 * takes an injected clock and timers]
 */
export interface Timers {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle | undefined): void
}

export type TimerHandle = ReturnType<typeof setTimeout>

/** The process's clock and timers, looked up at each call so `vi.useFakeTimers()` reaches them too. */
export const SYSTEM_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
}
