import { crashLine, crashRun } from './crash.js'
import { storageLine, storageRun } from './storage.js'
import { clockLine, clockRun } from './clock.js'
import { linksLine, linksRun } from './links.js'
import { killsLine, killsRun } from './kills.js'
import { diskLine, diskRun } from './disk.js'
import { outageLine, outageRun } from './outage.js'
import { fairnessLine, fairnessRun } from './fairness.js'
import { powerLine, powerRun } from './power.js'
import { summarize, type CheckReport } from '../checker.js'
import {
  clockFigures,
  crashFigures,
  diskFigures,
  fairnessFigures,
  powerFigures,
  killsFigures,
  outageFigures,
  linksFigures,
  storageFigures,
  type ScenarioResult,
} from './figures.js'
import { allTargets } from '../fuzz/targets.js'
import { fuzzTarget, type FuzzFigures } from '../fuzz/engine.js'

export type Mode = 'quick' | 'full'

export interface ScenarioArgs {
  mode: Mode
  seed: number
  /** Overrides the mode's run count. */
  runs?: number
  /** Index of the first run (a run's seed derives from the base seed and its index). */
  from: number
  /** No new run starts after this time (ms since epoch). */
  stopAt: number
  log(line: string): void
}

export type Scenario = (a: ScenarioArgs) => Promise<ScenarioResult>

/** Runs one after another until `total` or the time budget, a log line each (and the checker's on failure). */
async function series<R extends { report: CheckReport }>(
  a: ScenarioArgs,
  total: number,
  one: (run: number) => Promise<R>,
  line: (r: R) => string,
): Promise<R[]> {
  const runs: R[] = []
  for (let run = a.from; run < a.from + total && Date.now() < a.stopAt; run++) {
    const r = await one(run)
    runs.push(r)
    a.log(line(r))
    if (!r.report.ok) a.log(`  ${summarize(r.report)}`)
  }
  return runs
}

/** An input slower than this counts as a hang: far above any decoder's normal microseconds. */
const HANG_MS = 1000

export const SCENARIOS: Record<string, Scenario> = {
  async crash(a) {
    const quick = a.mode === 'quick'
    const o = {
      seed: a.seed,
      producers: 4,
      eventsPerProducer: quick ? 400 : 1500,
      window: 16,
      alarmMessages: quick ? 20 : 60,
      maxKills: 3,
      freezeEvery: quick ? 3 : 10,
      deadlineMs: 180_000,
    }
    return crashFigures(await series(a, a.runs ?? (quick ? 3 : 100), (run) => crashRun(run, o), crashLine))
  },
  async kills(a) {
    const quick = a.mode === 'quick'
    const o = {
      seed: a.seed,
      producers: 3,
      eventsPerProducer: quick ? 300 : 1000,
      window: 16,
      alarmMessages: quick ? 6 : 20,
      maxHit: { 'journal.commit': quick ? 15 : 40, 'forwarder.acked': quick ? 600 : 2500 },
      deadlineMs: 180_000,
    }
    return killsFigures(await series(a, a.runs ?? (quick ? 2 : 20), (run) => killsRun(run, o), killsLine))
  },
  async disk(a) {
    const quick = a.mode === 'quick'
    const o = {
      seed: a.seed,
      producers: 3,
      eventsPerProducer: quick ? 600 : 2000,
      window: 8,
      alarmMessages: quick ? 6 : 20,
      trafficMs: quick ? 10_000 : 20_000,
      diskBytes: 6 * 1024 * 1024,
      spareBytes: 512 * 1024,
      fullMs: [2000, 8000] as [number, number],
      deadlineMs: 240_000,
    }
    return diskFigures(await series(a, a.runs ?? (quick ? 1 : 10), (run) => diskRun(run, o), diskLine))
  },
  async outage(a) {
    const o = { seed: a.seed, events: a.runs ?? (a.mode === 'quick' ? 50_000 : 1_000_000), devices: 20, deadlineMs: 1_800_000 }
    return outageFigures(await series(a, 1, (run) => outageRun(run, o), outageLine))
  },
  async fairness(a) {
    const quick = a.mode === 'quick'
    const o = { seed: a.seed, floodEvents: quick ? 20_000 : 100_000, floodWindow: 64, alarms: quick ? 100 : 400, deadlineMs: 300_000 }
    return fairnessFigures(await series(a, 1, (run) => fairnessRun(run, o), fairnessLine))
  },
  async power(a) {
    const quick = a.mode === 'quick'
    const o = { seed: a.seed, producers: 3, eventsPerProducer: quick ? 400 : 1500, window: 16, alarmMessages: quick ? 6 : 20, deadlineMs: 180_000 }
    return powerFigures(await series(a, a.runs ?? (quick ? 2 : 20), (run) => powerRun(run, o), powerLine))
  },
  async storage(a) {
    const quick = a.mode === 'quick'
    const o = {
      seed: a.seed,
      producers: 3,
      eventsPerProducer: quick ? 500 : 2000,
      window: 8,
      probability: 0.01,
      faultWindowMs: quick ? 15_000 : 30_000,
      deadlineMs: 240_000,
    }
    return storageFigures(await series(a, a.runs ?? (quick ? 2 : 20), (run) => storageRun(run, o), storageLine))
  },
  async links(a) {
    const quick = a.mode === 'quick'
    const o = {
      seed: a.seed,
      producers: 3,
      eventsPerProducer: quick ? 400 : 1500,
      window: 8,
      alarmMessages: quick ? 20 : 60,
      trafficMs: 25_000,
      deadlineMs: 180_000,
    }
    return linksFigures(await series(a, a.runs ?? (quick ? 2 : 20), (run) => linksRun(run, o), linksLine))
  },
  async clock(a) {
    const quick = a.mode === 'quick'
    const o = { seed: a.seed, producers: 3, eventsPerProducer: quick ? 400 : 1500, window: 8, alarmMessages: quick ? 20 : 60, deadlineMs: 180_000 }
    return clockFigures(await series(a, a.runs ?? (quick ? 2 : 20), (run) => clockRun(run, o), clockLine))
  },
  async fuzz(a) {
    const count = a.runs ?? (a.mode === 'quick' ? 20_000 : 1_000_000)
    const results: FuzzFigures[] = []
    for (const [i, t] of allTargets().entries()) {
      const f = await fuzzTarget(t, { count, seed: a.seed + i, hangMs: HANG_MS, stopAt: a.stopAt })
      results.push(f)
      a.log(
        `fuzz ${t.name}: ${f.inputs} inputs, ${f.refused} refused${f.produced === undefined ? '' : `, ${f.produced} items out`}, escaped ${f.escaped.length}, ` +
          `over ${HANG_MS} ms ${f.overBound}, slowest ${f.slowestMs.toFixed(2)} ms, heap +${Math.round(f.heapGrowthBytes / 1024)} KiB`,
      )
      for (const e of f.escaped.slice(0, 3)) a.log(`  ESCAPED seed ${e.seed} path ${e.path} input ${e.inputHex.slice(0, 160)}: ${e.error.split('\n')[0]}`)
    }
    const escaped = results.reduce((s, f) => s + f.escaped.length, 0)
    const hangs = results.reduce((s, f) => s + f.overBound, 0)
    const inputs = results.reduce((s, f) => s + f.inputs, 0)
    return {
      ok: escaped === 0 && hangs === 0,
      summary: `${results.length} decoders, ${inputs} inputs; escaped ${escaped}, over ${HANG_MS} ms ${hangs}`,
      figures: { decoders: results },
    }
  },
}
