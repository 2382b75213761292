import fc from 'fast-check'
import { mutate } from './mutate.js'

/**
 * fast-check arbitraries for hostile frames. The mutations are mutate.ts's (AFL-style: bit flips,
 * boundary and delimiter bytes, inserted, deleted and duplicated runs, truncation, splices, repeats);
 * their choices come from a list of numbers fast-check draws, so a failing input shrinks: fewer
 * mutations, smaller choices, a shorter frame.
 */

/** Draws in [0, 1) that fast-check can shrink towards 0. */
export const draws = fc.array(
  fc.integer({ min: 0, max: 0xffff }).map((n) => n / 0x10000),
  { minLength: 1, maxLength: 64 },
)

/** A `() => number` that replays `list` (cycling): randomness that came from fast-check. */
export function replay(list: readonly number[]): () => number {
  let i = 0
  return () => list[i++ % list.length]!
}

/**
 * A mutated frame is cut to this: repeats of repeats would otherwise grow it a thousandfold when
 * fast-check's draws cycle. Oversized frames are the framers' own tests (every framer's cap).
 */
export const MAX_FRAME_BYTES = 4096

/** 10 % noise, 5 % an unchanged vector, 85 % a vector mutated 1-8 times (spliced with another). */
export function frameArbitrary(corpus: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const noise = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a))
  if (corpus.length === 0) return noise
  const vector = fc.constantFrom(...corpus)
  const mutated = fc.tuple(vector, vector, draws).map(([base, other, d]) => mutate(base, other, replay(d)).subarray(0, MAX_FRAME_BYTES))
  return fc.oneof({ weight: 10, arbitrary: noise }, { weight: 5, arbitrary: vector }, { weight: 85, arbitrary: mutated })
}

/** One fuzz case: 1-3 frames back to back (a stream target sees them as one byte stream) and the draws its target may use (split points, a CRC repair). */
export function caseArbitrary(corpus: readonly Buffer[], maxFrames: number): fc.Arbitrary<{ frames: Buffer[]; draws: number[] }> {
  return fc.record({ frames: fc.array(frameArbitrary(corpus), { minLength: 1, maxLength: maxFrames }), draws })
}
