import type { TimerHandle, Timers } from '../../base/timers.js'

interface Pending {
  id: number
  at: number
  fn: () => void
}

/**
 * Fake timers to inject into the forwarder or an uplink while everything else (sockets, brokers,
 * SQLite) runs for real: time moves only when the test fires the next timer, and the test waits
 * for a timer to be set (an event) instead of sleeping.
 */
export class ManualTimers implements Timers {
  private t = 0
  private seq = 0
  private readonly pending = new Map<number, Pending>()
  private waiters: Array<() => void> = []

  constructor(start = 0) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  /** Timers set and not yet run or cleared. */
  get size(): number {
    return this.pending.size
  }

  /** When each pending timer is due, earliest first. */
  dueTimes(): number[] {
    return [...this.pending.values()].map((p) => p.at).sort((a, b) => a - b)
  }

  /** Moves the clock forward without running anything: time passing between two events. */
  advance(ms: number): void {
    this.t += ms
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq
    this.pending.set(id, { id, at: this.t + Math.max(0, ms), fn })
    for (const w of this.waiters.splice(0)) w()
    return id
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete(handle as number)
  }

  /** When the earliest timer is due, waiting (real time, up to `timeoutMs`) until one is set. */
  async nextDue(timeoutMs = 10_000): Promise<number> {
    if (this.pending.size === 0) {
      await new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`no timer was set within ${timeoutMs} ms`)), timeoutMs)
        this.waiters.push(() => {
          clearTimeout(guard)
          resolve()
        })
      })
    }
    return Math.min(...[...this.pending.values()].map((p) => p.at))
  }

  /** Moves the clock to the earliest timer and runs it (waiting for one to be set). */
  async fireNext(timeoutMs?: number): Promise<void> {
    const at = await this.nextDue(timeoutMs)
    const next = [...this.pending.values()].filter((p) => p.at === at).sort((a, b) => a.id - b.id)[0]!
    this.pending.delete(next.id)
    this.t = Math.max(this.t, at)
    next.fn()
  }
}
