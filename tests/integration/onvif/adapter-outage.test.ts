import { performance } from 'node:perf_hooks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useCameraAdapter } from './setup.js'

const { setup } = useCameraAdapter()

/**
 * The adapter's timers (backoff, pings, supervision) and clock run on vitest's fake timers; HTTP
 * is real. `drive` moves the fake clock in small steps, letting real I/O run between steps, until
 * `done()`: it returns how much fake time that took, which is the adapter's waiting, not the
 * machine's speed.
 */
async function drive(done: () => boolean, o: { stepMs?: number; maxMs: number }): Promise<number> {
  const step = o.stepMs ?? 100
  let elapsed = 0
  for (;;) {
    // Real I/O in flight (a connect, a reply) settles in a few ms of real time.
    const until = performance.now() + 5
    while (performance.now() < until) {
      if (done()) return elapsed
      await new Promise((r) => setImmediate(r))
    }
    if (done()) return elapsed
    if (elapsed >= o.maxMs) throw new Error(`not done after ${elapsed} ms of fake time`)
    await vi.advanceTimersByTimeAsync(step)
    elapsed += step
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('ONVIF adapter: a camera back from an outage', () => {
  it('subscribes again at once when the camera answers again, whatever the outage cost in backoff', async () => {
    const { cam, rec, adapter } = await setup(
      {},
      {
        snapshot: { enabled: false },
        pingIntervalMs: 1000,
        backoff: { initialMs: 500, maxMs: 20_000 },
        supervisionMs: 30_000,
        pullTimeoutMs: 10_000,
        requestTimeoutMs: 5000,
      },
    )
    await drive(() => cam.stats.pulls > 0, { maxMs: 5000 })
    await cam.powerOff()
    // Off for a while: the failed attempts grow the backoff to its 20 s cap.
    await drive(() => adapter.counters.pullErrors >= 7, { stepMs: 500, maxMs: 120_000 })
    await cam.powerOn({ sensors: { input: true } })
    const backMs = await drive(() => rec.events.some((e) => e.type === 'input'), { maxMs: 60_000 })
    // One ping interval at most (the ping notices the camera is back), plus the fake time that passed
    // while the real requests that follow were in flight (a step per 5 ms of real time). Before the
    // fix it was the rest of a backoff step plus a whole new one: 30.6 s.
    expect(backMs).toBeLessThanOrEqual(1000 + 2000)
    expect(cam.stats.creates).toBe(2)
  })
})
