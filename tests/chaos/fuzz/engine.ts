import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { nextInput } from './mutate.js'
import type { FuzzTarget } from './targets.js'

export interface Escape {
  /** Replays it: the same seed and index give the same input. */
  seed: number
  index: number
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

/** Feeds `count` seeded inputs to one target and counts what escaped. */
export async function fuzzTarget(t: FuzzTarget, o: FuzzRunOptions): Promise<FuzzFigures> {
  const rnd = seededRandom(o.seed)
  const heapBefore = process.memoryUsage().heapUsed
  const f: FuzzFigures = { target: t.name, inputs: 0, refused: 0, escaped: [], slowestMs: 0, slowestHex: '', overBound: 0, heapGrowthBytes: 0 }
  for (let i = 0; i < o.count; i++) {
    if (o.stopAt !== undefined && (i & 1023) === 0 && Date.now() > o.stopAt) break
    const input = nextInput(t.corpus, rnd)
    const started = performance.now()
    try {
      await t.feed(input, rnd)
    } catch (err) {
      if (t.refuses?.(err)) f.refused++
      else if (f.escaped.length < 20) f.escaped.push({ seed: o.seed, index: i, inputHex: input.toString('hex'), error: describe(err) })
    }
    for (const err of t.streamErrors?.() ?? []) {
      if (f.escaped.length < 20) f.escaped.push({ seed: o.seed, index: i, inputHex: input.toString('hex'), error: `stream error ${describe(err)}` })
    }
    const ms = performance.now() - started
    if (ms > f.slowestMs) {
      f.slowestMs = ms
      f.slowestHex = input.subarray(0, 256).toString('hex')
    }
    if (ms > o.hangMs) f.overBound++
    f.inputs++
  }
  f.heapGrowthBytes = process.memoryUsage().heapUsed - heapBefore
  if (t.produced) f.produced = t.produced()
  return f
}
