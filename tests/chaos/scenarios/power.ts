import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { tmpdir } from 'node:os'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { checkHistory, type CheckReport } from '../checker.js'
import { until, withRig, type RigOptions } from '../lib/rig.js'

/**
 * Scenario 3, a power cut without a VM: the gateway runs with `powercut/synced.c` preloaded (compiled
 * here with gcc), which keeps a copy of each journal file as of its last fsync/fdatasync. At a seeded
 * point the gateway is SIGKILLed and every file is put back to that copy (a file with no copy and a
 * WAL index are removed): whatever was written but never synced is gone, as after a power cut on a
 * disk that honours its flushes. Then a restart and the history check.
 */
export interface PowerOptions extends Omit<RigOptions, 'keepaliveSec' | 'reconnect'> {
  seed: number
  deadlineMs: number
}

export interface PowerRun {
  run: number
  seed: number
  total: number
  ackedAtCut: number
  /** Files put back to their last synced content, and files removed (never synced). */
  restored: number
  removed: number
  /** Size the files had beyond their synced copies at the cut (a WAL index counts whole). */
  unsyncedBytes: number
  integrity: string[]
  report: CheckReport
  error?: string
}

const SHIM_SOURCE = resolve(import.meta.dirname, '../powercut/synced.c')

/** Compiles the shim once per process; gcc is the only tool it needs. */
let shimPath: string | undefined
function shim(): string {
  if (shimPath) return shimPath
  const out = join(tmpdir(), `pingan-powercut-${process.pid}.so`)
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', out, SHIM_SOURCE, '-ldl'], { stdio: 'pipe' })
  shimPath = out
  return out
}

/**
 * Puts every file of `dir` back to its last synced copy; returns how many were restored and removed,
 * and how many bytes the files held beyond their synced copies (what the cut threw away, in size).
 */
export function cutPower(dir: string): { restored: number; removed: number; unsyncedBytes: number } {
  let restored = 0
  let removed = 0
  let unsyncedBytes = 0
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.synced') || f.endsWith('.synced.tmp')) continue
    const p = join(dir, f)
    if (existsSync(`${p}.synced`)) {
      unsyncedBytes += Math.abs(statSync(p).size - statSync(`${p}.synced`).size)
      copyFileSync(`${p}.synced`, p)
      restored++
    } else if (/\.db(-wal|-shm|-journal)?$/.test(f)) {
      unsyncedBytes += statSync(p).size
      rmSync(p, { force: true })
      removed++
    }
  }
  return { restored, removed, unsyncedBytes }
}

export async function powerRun(run: number, o: PowerOptions): Promise<PowerRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const result: PowerRun = { run, seed, total: 0, ackedAtCut: 0, restored: 0, removed: 0, unsyncedBytes: 0, integrity: [], report: checkHistory([], []) }
  const so = shim()
  await withRig({ ...o, keepaliveSec: 5 }, seed, rnd, o.deadlineMs, result, async (r, deadline) => {
    const env = { LD_PRELOAD: so, POWERCUT_DIR: r.dir }
    await r.start({ env })
    result.total = r.all().length
    const at = Math.floor(r.mqttTotal * (0.1 + rnd() * 0.8))
    await until(`${at} acknowledged`, () => r.mqttAcked() >= at || r.done(), deadline)
    await r.gw?.kill9()
    result.ackedAtCut = r.acked()
    const cut = cutPower(r.dir)
    result.restored = cut.restored
    result.removed = cut.removed
    result.unsyncedBytes = cut.unsyncedBytes
    result.integrity.push(await r.kill())
    await r.start({ env })
  })
  return result
}

export function powerLine(r: PowerRun): string {
  return (
    `power run ${r.run} seed ${r.seed}: cut at ${r.ackedAtCut} of ${r.total} acknowledged, ${r.restored} files back to their last sync (${r.unsyncedBytes} bytes differed), ${r.removed} removed; ` +
    `lost ${r.report.lost.length}, dup content ${r.report.duplicateContent.length}, order ${r.report.orderViolations.length}, seq gaps ${r.report.seqGaps}; integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
