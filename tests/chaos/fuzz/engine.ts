import fc from 'fast-check'
import { caseArbitrary, replay } from './arbitraries.js'
import type { FuzzTarget } from './targets.js'

export interface Escape {
  /** Replays it: `fc.check(..., { seed, path })`, or `npm run chaos -- fuzz --seed S`. */
  seed: number
  path: string
  /** The counterexample after fast-check shrank it. */
  inputHex: string
  error: string
}

export interface FuzzFigures {
  target: string
  inputs: number
  /** Inputs the decoder refused with its documented error. */
  refused: number
  /** For a stream target, the items it passed on (frames, bad-frame reports). */
  produced?: number
  /** At most one: fast-check stops at the first, shrinks it and reports it. */
  escaped: Escape[]
  /** The slowest single input, ms, and how many went over the hang bound. */
  slowestMs: number
  slowestHex: string
  overBound: number
  /** Heap growth over the run (no forced GC: an upper bound on what the decoder kept). */
  heapGrowthBytes: number
}

export interface FuzzRunOptions {
  count: number
  seed: number
  /** An input taking longer than this is counted as a hang (reported, with its input). */
  hangMs: number
  /** Stop early at this time (ms since epoch): a bounded run. */
  stopAt?: number
}

const describe = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err))

/**
 * Runs one target as a fast-check property: "every input is either decoded or refused with the
 * decoder's documented error". Anything else thrown, or emitted as a stream 'error', falsifies it;
 * fast-check then shrinks the input and the run stops there.
 */
export async function fuzzTarget(t: FuzzTarget, o: FuzzRunOptions): Promise<FuzzFigures> {
  const heapBefore = process.memoryUsage().heapUsed
  const f: FuzzFigures = { target: t.name, inputs: 0, refused: 0, escaped: [], slowestMs: 0, slowestHex: '', overBound: 0, heapGrowthBytes: 0 }
  let shrinking = false
  type Case = { frames: Buffer[]; draws: number[] }
  const refused = (err: unknown): void => {
    if (!t.refuses?.(err)) {
      shrinking = true
      throw err
    }
    if (!shrinking) f.refused++
  }
  const measured = (input: Buffer, started: number): boolean => {
    if (shrinking) return true
    const ms = performance.now() - started
    if (ms > f.slowestMs) {
      f.slowestMs = ms
      f.slowestHex = input.subarray(0, 256).toString('hex')
    }
    if (ms > o.hangMs) f.overBound++
    f.inputs++
    return true
  }
  const sync = (c: Case): boolean => {
    const input = Buffer.concat(c.frames)
    const started = performance.now()
    try {
      void t.feed(input, replay(c.draws))
    } catch (err) {
      refused(err)
    }
    return measured(input, started)
  }
  const one = async (c: Case): Promise<boolean> => {
    const input = Buffer.concat(c.frames)
    const started = performance.now()
    try {
      await t.feed(input, replay(c.draws))
    } catch (err) {
      refused(err)
    }
    return measured(input, started)
  }
  const params = {
    numRuns: o.count,
    seed: o.seed,
    ...(o.stopAt === undefined ? {} : { interruptAfterTimeLimit: Math.max(0, o.stopAt - Date.now()), markInterruptAsFailure: false }),
  }
  const details = t.async
    ? await fc.check(fc.asyncProperty(caseArbitrary(t.corpus, t.maxFrames ?? 1), one), params)
    : fc.check(fc.property(caseArbitrary(t.corpus, t.maxFrames ?? 1), sync), params)
  if (details.failed && details.counterexample) {
    const [c] = details.counterexample
    f.escaped.push({
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      inputHex: Buffer.concat(c.frames).toString('hex'),
      error: describe(details.errorInstance),
    })
  }
  f.heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore
  if (t.produced) f.produced = t.produced()
  return f
}
