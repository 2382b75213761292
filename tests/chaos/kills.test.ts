import { describe, expect, it } from 'vitest'
import { killsRun } from './scenarios/kills.js'
import { summarize } from './checker.js'

/**
 * The fast subset of the named-point kills (`npm run chaos -- kills`): the gateway kills itself
 * inside the journal's commit (run 0) and after the platform acknowledged an event but before the
 * journal recorded it (run 1); a restart, and nothing acknowledged may be lost or reordered.
 */
describe('chaos: kills at named points (one run each)', () => {
  it.each([0, 1])('run %i', { timeout: 240_000 }, async (run) => {
    const r = await killsRun(run, {
      seed: 20261201, producers: 2, eventsPerProducer: 300, window: 8, alarmMessages: 4,
      maxHit: { 'journal.commit': 10, 'forwarder.acked': 200 }, deadlineMs: 180_000,
    })
    expect(r.error, summarize(r.report)).toBeUndefined()
    expect(r.killed, `${r.point} hit ${r.hit} was not reached`).toBe(true)
    expect(r.integrity.every((i) => i === 'ok')).toBe(true)
    expect(r.report.acked).toBe(r.total)
    expect(r.report.ok, summarize(r.report)).toBe(true)
  })
})
