import { describe, expect, it } from 'vitest'
import { allTargets } from './fuzz/targets.js'
import { fuzzTarget } from './fuzz/engine.js'

/**
 * The fast subset of scenario 7 (`npm run chaos -- fuzz` feeds 1,000,000 per decoder): 10,000
 * seeded random and mutated frames from the specifications' vectors into every decoder. A decoder
 * may refuse an input with its documented error; nothing else may escape, thrown or emitted.
 */
describe('chaos: every decoder under 10,000 hostile frames', () => {
  it.each(allTargets().map((t, i) => [t.name, t, i] as const))('%s', { timeout: 120_000 }, async (_name, target, i) => {
    const f = await fuzzTarget(target, { count: 10_000, seed: 20261201 + i, hangMs: Infinity })
    expect(f.inputs).toBe(10_000)
    expect(f.escaped.map((e) => `input ${e.inputHex}: ${e.error.split('\n')[0]}`)).toEqual([])
  })
})
