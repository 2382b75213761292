/** An opaque timer handle: whatever `setTimeout` returned. */
export type TimerHandle = unknown

/**
 * The clock and timers that every component which waits takes (buses, transports, the forwarder,
 * the uplinks). Injected, so their timing (backoff, retry delays, quarantines) is tested with fake
 * timers instead of waiting real seconds.
 */
export interface Timers {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export const SYSTEM_TIMERS: Timers = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}
