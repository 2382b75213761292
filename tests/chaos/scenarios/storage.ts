import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { checkHistory, type CheckReport } from '../checker.js'
import { until, withRig, type RigOptions } from '../lib/rig.js'
import type { SpawnedGateway } from '../../helpers/spawn-gateway.js'

/**
 * Scenario 2, storage faults: the gateway runs under libfiu (`fiu-run -x`, Debian fiu-utils), whose
 * preloaded POSIX wrappers make `fsync`/`fdatasync` and `pwrite` (what SQLite's unix VFS writes the
 * WAL and the database with) fail at random with EIO while MQTT producers keep publishing and
 * reconnecting. Then the gateway is killed, restarted without faults, and the history checked: no
 * event may have been acknowledged unless its commit was durable. libfiu draws its own random
 * numbers, so a seed replays the load and the kill, not the faults.
 */
export interface StorageOptions extends Omit<RigOptions, 'keepaliveSec' | 'reconnect' | 'alarmMessages'> {
  /** The base seed: a run's own seed derives from it and the run's index. */
  seed: number
  /** Chance that each fsync, fdatasync or pwrite call fails. */
  probability: number
  /** How long the load runs under faults before the gateway is killed. */
  faultWindowMs: number
  deadlineMs: number
}

export interface StorageRun {
  run: number
  seed: number
  total: number
  /** Acknowledged while faults were injected. */
  ackedUnderFaults: number
  /** Starts that failed under faults (the gateway refused to start on a failing disk). */
  failedStarts: number
  /** The gateway stopped by itself under faults (exit code or signal), or null if it kept running. */
  exited: string | null
  /** Log lines at error level or above under faults: how loudly it said so. */
  errorLines: number
  integrity: string[]
  report: CheckReport
  error?: string
}

/** A start opens the journal with a few fsyncs; under a high fault rate it may take tries. */
const MAX_STARTS = 10

export function fiuPrefix(probability: number): string[] {
  return [
    'fiu-run',
    '-x',
    '-f',
    '',
    '-c',
    `enable_random name=posix/io/sync/*,probability=${probability}`,
    '-c',
    `enable_random name=posix/io/rw/pwrite,probability=${probability}`,
  ]
}

export async function storageRun(run: number, o: StorageOptions): Promise<StorageRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const result: StorageRun = {
    run,
    seed,
    total: 0,
    ackedUnderFaults: 0,
    failedStarts: 0,
    exited: null,
    errorLines: 0,
    integrity: [],
    report: checkHistory([], []),
  }
  await withRig({ ...o, alarmMessages: 0, keepaliveSec: 5, reconnect: true }, seed, rnd, o.deadlineMs, result, async (r, deadline) => {
    result.total = r.all().length
    let gw: SpawnedGateway | undefined
    for (let i = 0; i < MAX_STARTS && !gw; i++) {
      gw = await r.start({ prefix: fiuPrefix(o.probability) }).catch(() => {
        result.failedStarts++
        return undefined
      })
    }
    if (gw) {
      const child = gw.child
      const stopAt = Date.now() + o.faultWindowMs
      await until('the fault window', () => Date.now() > stopAt || r.done() || child.exitCode !== null || child.signalCode !== null, deadline)
      if (child.exitCode !== null || child.signalCode !== null) result.exited = String(child.exitCode ?? child.signalCode)
      result.errorLines = gw.lines.filter((l) => Number(l['level']) >= 50).length
    }
    result.ackedUnderFaults = r.acked()
    result.integrity.push(await r.kill())
    await r.start()
  })
  return result
}

/** One line per run for the chaos log. */
export function storageLine(r: StorageRun): string {
  return (
    `storage run ${r.run} seed ${r.seed}: ${r.ackedUnderFaults} of ${r.total} acknowledged under faults, ${r.failedStarts} failed starts, ` +
    `${r.exited === null ? 'kept running' : `stopped by itself (${r.exited})`}, ${r.errorLines} error lines; lost ${r.report.lost.length}, ` +
    `dup content ${r.report.duplicateContent.length}, order ${r.report.orderViolations.length}; integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
