import { describe, expect, it } from 'vitest'
import { crashRun } from './scenarios/crash.js'
import { summarize } from './checker.js'

/**
 * The fast subset of scenario 1 (`npm run chaos -- crash` runs 100): one run of mixed load on the
 * real gateway process, killed with SIGKILL once or twice at seeded moments and restarted.
 */
describe('chaos: crash anywhere (one run)', () => {
  it('every acknowledged event reaches the platform once by content, in order per device, and the journal passes integrity_check', {
    timeout: 240_000,
  }, async () => {
    const r = await crashRun(0, {
      seed: 20261201,
      producers: 2,
      eventsPerProducer: 300,
      window: 8,
      alarmMessages: 6,
      maxKills: 2,
      freezeEvery: 0,
      deadlineMs: 180_000,
    })
    expect(r.error, summarize(r.report)).toBeUndefined()
    expect(r.killedAtAcked.length).toBeGreaterThanOrEqual(1)
    expect(r.integrity.every((i) => i === 'ok')).toBe(true)
    expect(r.report.acked).toBe(r.total)
    expect(r.report.ok, summarize(r.report)).toBe(true)
  })
})
