import { delayFigures } from '../checker.js'
import type { RunOutcome } from '../lib/rig.js'
import type { CrashRun } from './crash.js'
import type { StorageRun } from './storage.js'
import type { ClockRun } from './clock.js'
import type { LinksRun } from './links.js'
import type { KillsRun } from './kills.js'
import type { DiskRun } from './disk.js'
import type { OutageRun } from './outage.js'
import type { FairnessRun } from './fairness.js'
import type { PowerRun } from './power.js'

export interface ScenarioResult {
  ok: boolean
  summary: string
  figures: Record<string, unknown>
}

type Judged = RunOutcome & { run: number; seed: number; total: number }

/** What every history-checked scenario reports: the checker's counts summed over its runs. */
function judge<R extends Judged>(runs: R[], extra: Record<string, unknown>, head: string): ScenarioResult {
  const sum = (f: (r: R) => number): number => runs.reduce((s, r) => s + f(r), 0)
  const failing = runs.filter((r) => !r.report.ok || r.error || r.integrity.some((i) => i !== 'ok'))
  const figures = {
    runs: runs.length,
    events: sum((r) => r.total),
    ...extra,
    lost: sum((r) => r.report.lost.length),
    unexpected: sum((r) => r.report.unexpected.length),
    duplicateIds: sum((r) => r.report.duplicateIds),
    duplicateContent: sum((r) => r.report.duplicateContent.length),
    orderViolations: sum((r) => r.report.orderViolations.length + r.report.seqViolations),
    runsWithOrderViolations: runs.filter((r) => r.report.orderViolations.length + r.report.seqViolations > 0).length,
    seqGaps: sum((r) => r.report.seqGaps),
    integrityFailures: sum((r) => r.integrity.filter((i) => i !== 'ok').length),
    worstAckToArrivalMs: Math.max(0, ...runs.map((r) => r.report.delayMs.max)),
    failingSeeds: failing.map((r) => ({
      run: r.run,
      seed: r.seed,
      error: r.error,
      firstViolation: r.report.orderViolations[0],
      duplicateContent: r.report.duplicateContent.slice(0, 3),
    })),
  }
  const summary =
    `${figures.runs} runs, ${figures.events} events${head}; lost ${figures.lost}, unexpected ${figures.unexpected}, ` +
    `dup ids ${figures.duplicateIds}, dup content ${figures.duplicateContent}, order ${figures.orderViolations} (in ${figures.runsWithOrderViolations} runs), ` +
    `seq gaps ${figures.seqGaps}, integrity failures ${figures.integrityFailures}` +
    (failing.length ? `; FAILING seeds ${failing.map((r) => r.seed).join(', ')}` : '')
  return { ok: failing.length === 0, summary, figures }
}

export function crashFigures(runs: CrashRun[]): ScenarioResult {
  const restart = delayFigures(runs.flatMap((r) => r.restartMs))
  const recovery = delayFigures(runs.flatMap((r) => r.recoveryMs))
  const kills = runs.reduce((s, r) => s + r.killedAtAcked.length, 0)
  const freezes = runs.filter((r) => r.froze).length
  const r = judge(runs, { kills, freezes, restartMs: restart, recoveryMs: recovery }, `, ${kills} kills, ${freezes} freezes`)
  r.summary += `; restart p50 ${restart.p50} ms max ${restart.max} ms, first event p50 ${recovery.p50} ms max ${recovery.max} ms`
  return r
}

export function storageFigures(runs: StorageRun[]): ScenarioResult {
  const sum = (f: (r: StorageRun) => number): number => runs.reduce((s, r) => s + f(r), 0)
  const extra = {
    ackedUnderFaults: sum((r) => r.ackedUnderFaults),
    failedStarts: sum((r) => r.failedStarts),
    stoppedByItself: runs.filter((r) => r.exited !== null).length,
    errorLines: sum((r) => r.errorLines),
  }
  return judge(
    runs,
    extra,
    `, ${extra.ackedUnderFaults} acknowledged under faults, ${extra.failedStarts} refused starts, stopped by itself ${extra.stoppedByItself}`,
  )
}

export function clockFigures(runs: ClockRun[]): ScenarioResult {
  return judge(runs, { steps: runs.map((r) => r.steps) }, '')
}

export function linksFigures(runs: LinksRun[]): ScenarioResult {
  const heal = delayFigures(runs.flatMap((r) => (r.healToEventMs === undefined ? [] : [r.healToEventMs])))
  const connections = runs.reduce((s, r) => s + r.connections, 0)
  const r = judge(runs, { uplinkConnections: connections, healToEventMs: heal }, `, ${connections} uplink connections`)
  r.summary += `; stall healed to next event p50 ${heal.p50} ms max ${heal.max} ms`
  return r
}

export function killsFigures(runs: KillsRun[]): ScenarioResult {
  const at: Record<string, { runs: number; killed: number }> = {}
  for (const r of runs) {
    const a = (at[r.point] ??= { runs: 0, killed: 0 })
    a.runs++
    if (r.killed) a.killed++
  }
  const head = Object.entries(at)
    .map(([p, a]) => `${p}: ${a.killed} of ${a.runs} killed there`)
    .join(', ')
  return judge(runs, { points: at }, `, ${head}`)
}

export function diskFigures(runs: DiskRun[]): ScenarioResult {
  const explained = runs.reduce((s, r) => s + r.report.seqGapsExplained, 0)
  const full = delayFigures(runs.map((r) => r.fullMs))
  return judge(
    runs,
    { seqGapsExplained: explained, fullMs: full, stoppedByItself: runs.filter((r) => r.exited !== null).length },
    `, disk full ${full.p50}-${full.max} ms, ${explained} seq gaps reported evicted`,
  )
}

export function outageFigures(runs: OutageRun[]): ScenarioResult {
  const worst = (f: (r: OutageRun) => number): number => Math.max(0, ...runs.map(f))
  const extra = {
    drainMs: worst((r) => r.drainMs),
    eventsPerSec: runs.map((r) => r.eventsPerSec),
    peakRssMiB: worst((r) => r.peakRssMiB),
    lastUrgentAt: worst((r) => r.lastUrgentAt),
    urgentShare: worst((r) => r.urgentShare),
  }
  return judge(
    runs.map((r) => ({ ...r, integrity: r.integrity })),
    extra,
    `, drained in ${extra.drainMs} ms, peak RSS ${extra.peakRssMiB} MiB, last urgent at ${(extra.lastUrgentAt * 100).toFixed(1)} % of arrivals`,
  )
}

export function fairnessFigures(runs: FairnessRun[]): ScenarioResult {
  const r = runs[0]
  const extra = r ? { aloneMs: r.aloneMs, floodedMs: r.floodedMs, floodRate: r.floodRate } : {}
  return judge(runs, extra, r ? `, alarms p99 alone ${r.aloneMs.p99} ms, during a flood of ${r.floodRate}/s ${r.floodedMs.p99} ms` : '')
}

export function powerFigures(runs: PowerRun[]): ScenarioResult {
  const restored = runs.reduce((s, r) => s + r.restored, 0)
  return judge(
    runs,
    { filesRestored: restored, filesRemoved: runs.reduce((s, r) => s + r.removed, 0) },
    `, ${runs.length} cuts, ${restored} files put back to their last sync`,
  )
}
