import { describe, expect, it } from 'vitest'
import { allTargets } from './fuzz/targets.js'
import { fuzzTarget } from './fuzz/engine.js'

/**
 * The fast subset of scenario 7 (`npm run chaos -- fuzz` runs 1,000,000 per decoder): a fast-check
 * property per decoder over 10,000 cases of noise, spec vectors and mutated vectors. A decoder may
 * refuse an input with its documented error; nothing else may escape, thrown or emitted; a failure
 * is shrunk and printed with its seed and path.
 */
describe('chaos: every decoder under 10,000 hostile frames', () => {
  it.each(allTargets().map((t, i) => [t.name, t, i] as const))('%s', { timeout: 120_000 }, async (_name, target, i) => {
    const f = await fuzzTarget(target, { count: 10_000, seed: 20261201 + i, hangMs: Infinity })
    expect(f.inputs).toBe(10_000)
    expect(f.escaped.map((e) => `seed ${e.seed} path ${e.path} input ${e.inputHex}: ${e.error.split('\n')[0]}`)).toEqual([])
  })

  it('finds a decoder that throws and reports the input that made it', async () => {
    const target = {
      name: 'throws on 0x42',
      corpus: [Buffer.from('hello')],
      feed(input: Buffer) {
        if (input.includes(0x42)) throw new RangeError('0x42')
      },
    }
    const f = await fuzzTarget(target, { count: 10_000, seed: 1, hangMs: Infinity })
    expect(f.escaped).toHaveLength(1)
    expect(Buffer.from(f.escaped[0]!.inputHex, 'hex').includes(0x42)).toBe(true)
    expect(f.escaped[0]!.error).toMatch(/RangeError: 0x42/)
  })
})
