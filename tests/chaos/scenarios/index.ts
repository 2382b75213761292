import { crashLine, crashRun, type CrashRun } from './crash.js'
import { storageLine, storageRun, type StorageRun } from './storage.js'
import { delayFigures, summarize, type CheckReport } from '../checker.js'
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

export interface ScenarioResult {
  ok: boolean
  summary: string
  figures: Record<string, unknown>
}

export type Scenario = (a: ScenarioArgs) => Promise<ScenarioResult>

/** Runs one after another until `total` or the time budget, a log line each (and the checker's on failure). */
async function series<R extends { report: CheckReport }>(a: ScenarioArgs, total: number, one: (run: number) => Promise<R>, line: (r: R) => string): Promise<R[]> {
  const runs: R[] = []
  for (let run = a.from; run < a.from + total && Date.now() < a.stopAt; run++) {
    const r = await one(run)
    runs.push(r)
    a.log(line(r))
    if (!r.report.ok) a.log(`  ${summarize(r.report)}`)
  }
  return runs
}

function crashFigures(runs: CrashRun[]): ScenarioResult {
  const sum = (f: (r: CrashRun) => number): number => runs.reduce((s, r) => s + f(r), 0)
  const failing = runs.filter((r) => !r.report.ok || r.error || r.integrity.some((i) => i !== 'ok'))
  const recovery = delayFigures(runs.flatMap((r) => r.recoveryMs))
  const restart = delayFigures(runs.flatMap((r) => r.restartMs))
  const delay = delayFigures(runs.map((r) => r.report.delayMs.max))
  const figures = {
    runs: runs.length,
    kills: sum((r) => r.killedAtAcked.length),
    freezes: sum((r) => (r.froze ? 1 : 0)),
    events: sum((r) => r.total),
    acked: sum((r) => r.report.acked),
    lost: sum((r) => r.report.lost.length),
    unexpected: sum((r) => r.report.unexpected.length),
    duplicateIds: sum((r) => r.report.duplicateIds),
    duplicateContent: sum((r) => r.report.duplicateContent.length),
    orderViolations: sum((r) => r.report.orderViolations.length + r.report.seqViolations),
    seqGaps: sum((r) => r.report.seqGaps),
    integrityFailures: sum((r) => r.integrity.filter((i) => i !== 'ok').length),
    restartMs: restart,
    recoveryMs: recovery,
    worstAckToArrivalMs: delay.max,
    failingSeeds: failing.map((r) => ({ run: r.run, seed: r.seed, error: r.error })),
  }
  const summary = `${figures.runs} runs, ${figures.kills} kills, ${figures.freezes} freezes, ${figures.events} events; lost ${figures.lost}, ` +
    `unexpected ${figures.unexpected}, dup ids ${figures.duplicateIds}, dup content ${figures.duplicateContent}, order ${figures.orderViolations}, ` +
    `seq gaps ${figures.seqGaps}, integrity failures ${figures.integrityFailures}; restart p50 ${restart.p50} ms max ${restart.max} ms, first event p50 ${recovery.p50} ms max ${recovery.max} ms` +
    (failing.length ? `; FAILING seeds ${failing.map((r) => r.seed).join(', ')}` : '')
  return { ok: failing.length === 0, summary, figures }
}

function storageFigures(runs: StorageRun[]): ScenarioResult {
  const sum = (f: (r: StorageRun) => number): number => runs.reduce((s, r) => s + f(r), 0)
  const failing = runs.filter((r) => !r.report.ok || r.error || r.integrity.some((i) => i !== 'ok'))
  const figures = {
    runs: runs.length,
    events: sum((r) => r.total),
    ackedUnderFaults: sum((r) => r.ackedUnderFaults),
    failedStarts: sum((r) => r.failedStarts),
    stoppedByItself: runs.filter((r) => r.exited !== null).length,
    errorLines: sum((r) => r.errorLines),
    lost: sum((r) => r.report.lost.length),
    unexpected: sum((r) => r.report.unexpected.length),
    duplicateIds: sum((r) => r.report.duplicateIds),
    duplicateContent: sum((r) => r.report.duplicateContent.length),
    orderViolations: sum((r) => r.report.orderViolations.length + r.report.seqViolations),
    runsWithOrderViolations: runs.filter((r) => r.report.orderViolations.length > 0).length,
    seqGaps: sum((r) => r.report.seqGaps),
    integrityFailures: sum((r) => r.integrity.filter((i) => i !== 'ok').length),
    failingSeeds: failing.map((r) => ({ run: r.run, seed: r.seed, error: r.error, firstViolation: r.report.orderViolations[0] })),
  }
  const summary = `${figures.runs} runs, ${figures.events} events, ${figures.ackedUnderFaults} acknowledged under faults; lost ${figures.lost}, ` +
    `unexpected ${figures.unexpected}, dup content ${figures.duplicateContent}, order ${figures.orderViolations} (in ${figures.runsWithOrderViolations} runs), ` +
    `seq gaps ${figures.seqGaps}, integrity failures ${figures.integrityFailures}, stopped by itself ${figures.stoppedByItself}` +
    (failing.length ? `; FAILING seeds ${failing.map((r) => r.seed).join(', ')}` : '')
  return { ok: failing.length === 0, summary, figures }
}

/** An input slower than this counts as a hang: far above any decoder's normal microseconds. */
const HANG_MS = 1000

export const SCENARIOS: Record<string, Scenario> = {
  async crash(a) {
    const quick = a.mode === 'quick'
    const o = {
      seed: a.seed, producers: 4, eventsPerProducer: quick ? 400 : 1500, window: 16,
      alarmMessages: quick ? 20 : 60, maxKills: 3, freezeEvery: quick ? 3 : 10, deadlineMs: 180_000,
    }
    return crashFigures(await series(a, a.runs ?? (quick ? 3 : 100), (run) => crashRun(run, o), crashLine))
  },
  async storage(a) {
    const quick = a.mode === 'quick'
    const o = {
      seed: a.seed, producers: 3, eventsPerProducer: quick ? 500 : 2000, window: 8,
      probability: 0.01, faultWindowMs: quick ? 15_000 : 30_000, deadlineMs: 240_000,
    }
    return storageFigures(await series(a, a.runs ?? (quick ? 2 : 20), (run) => storageRun(run, o), storageLine))
  },
  async fuzz(a) {
    const count = a.runs ?? (a.mode === 'quick' ? 20_000 : 1_000_000)
    const results: FuzzFigures[] = []
    for (const [i, t] of allTargets().entries()) {
      const f = await fuzzTarget(t, { count, seed: a.seed + i, hangMs: HANG_MS, stopAt: a.stopAt })
      results.push(f)
      a.log(`fuzz ${t.name}: ${f.inputs} inputs, ${f.refused} refused${f.produced === undefined ? '' : `, ${f.produced} items out`}, escaped ${f.escaped.length}, ` +
        `over ${HANG_MS} ms ${f.overBound}, slowest ${f.slowestMs.toFixed(2)} ms, heap +${Math.round(f.heapGrowthBytes / 1024)} KiB`)
      for (const e of f.escaped.slice(0, 3)) a.log(`  ESCAPED seed ${e.seed} index ${e.index} input ${e.inputHex.slice(0, 160)}: ${e.error.split('\n')[0]}`)
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
