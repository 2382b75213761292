import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
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
  /**
   * When the faults begin: `start` (default) runs the whole process under them, opening the journal
   * included, so a failing disk may refuse starts; `ready` starts the gateway on a sound disk and
   * arms the same faults through libfiu's remote control once it listens and its uplink is
   * connected, so the window is spent on events flowing (the fast subset in `npm test`, whose time
   * must not go to refused starts).
   */
  faultsFrom?: 'start' | 'ready'
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

const execFileAsync = promisify(execFile)

/** A start opens the journal with a few fsyncs; under a high fault rate it may take tries. */
const MAX_STARTS = 10

function faultCommands(probability: number): string[] {
  return ['-c', `enable_random name=posix/io/sync/*,probability=${probability}`, '-c', `enable_random name=posix/io/rw/pwrite,probability=${probability}`]
}

/** `fiu-run` with the faults armed before the program starts, remote control off. */
export function fiuPrefix(probability: number): string[] {
  return ['fiu-run', '-x', '-f', '', ...faultCommands(probability)]
}

/** `fiu-run` with no fault armed and remote control on named pipes under `ctrl` (`ctrl-PID.in/out`). */
function fiuRemotePrefix(ctrl: string): string[] {
  return ['fiu-run', '-x', '-f', ctrl]
}

/** Arms the faults in a running process through its libfiu control pipes. */
async function armFaults(ctrl: string, pid: number, probability: number): Promise<void> {
  const { stdout, stderr } = await execFileAsync('fiu-ctrl', ['-f', ctrl, ...faultCommands(probability), String(pid)], { timeout: 30_000 })
  if (/error/i.test(stdout + stderr)) throw new Error(`fiu-ctrl could not arm the faults in ${pid}: ${stdout}${stderr}`)
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
    const ctrl = join(r.dir, 'fiu-ctrl')
    const prefix = o.faultsFrom === 'ready' ? fiuRemotePrefix(ctrl) : fiuPrefix(o.probability)
    // Armed once the uplink is connected too: before, nothing is delivered, and a pwrite failing with
    // ENOSPC (libfiu draws the errno), which the journal takes for a full disk, evicts undelivered
    // events. That is the full disk's designed and reported loss (scenario `disk`), not this one's.
    const armed =
      o.faultsFrom === 'ready'
        ? {
            beforeLoad: async (g: SpawnedGateway) => {
              await until('the uplink to connect', () => g.lines.some((l) => l['msg'] === 'uplink connected'), deadline)
              await armFaults(ctrl, g.child.pid!, o.probability)
            },
          }
        : {}
    for (let i = 0; i < MAX_STARTS && !gw; i++) {
      gw = await r.start({ prefix, ...armed }).catch(() => {
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
