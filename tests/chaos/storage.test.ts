import { describe, expect, it } from 'vitest'
import { storageRun } from './scenarios/storage.js'
import { summarize } from './checker.js'

/**
 * The fast subset of scenario 2 (`npm run chaos -- storage`): one run under libfiu's random fsync
 * and pwrite failures: nothing acknowledged is lost, nothing is stored twice, each device's order
 * holds (the journal's order barrier, RELIABILITY.md finding 2), the journal stays intact.
 */
describe('chaos: storage faults (one run)', () => {
  it('with fsync and pwrite failing at random, every acknowledged event still reaches the platform and the journal passes integrity_check', {
    timeout: 330_000,
  }, async () => {
    const r = await storageRun(0, {
      seed: 20261201,
      producers: 2,
      eventsPerProducer: 400,
      window: 8,
      probability: 0.03,
      faultWindowMs: 10_000,
      // The gateway starts on a sound disk and the faults are armed once it listens: refused starts
      // on a failing disk (each a new compile through tsx) once took the whole deadline on a loaded
      // machine before a single event flowed. `npm run chaos -- storage` keeps faults from the start.
      faultsFrom: 'ready',
      deadlineMs: 270_000,
    })
    expect(r.error, summarize(r.report)).toBeUndefined()
    expect(r.failedStarts, 'the gateway starts on a sound disk').toBe(0)
    expect(r.ackedUnderFaults, 'events flowed while the faults were armed').toBeGreaterThan(0)
    expect(r.errorLines).toBeGreaterThan(0) // the faults were injected, and the gateway said so
    expect(r.integrity).toEqual(['ok', 'ok'])
    expect(r.report.acked).toBe(r.total)
    const why = summarize(r.report)
    expect(r.report.lost, why).toEqual([])
    expect(r.report.unexpected, why).toEqual([])
    expect(r.report.duplicateContent, why).toEqual([])
    expect(r.report.orderViolations, why).toEqual([])
  })
})
