import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { mountSmallFs, type SmallFs } from '../../helpers/small-fs.js'
import { checkHistory, type CheckReport } from '../checker.js'
import { until, withRig, type RigOptions } from '../lib/rig.js'

/**
 * Scenario 4, a full disk for real: the journal lives on a small tmpfs (`mount -t tmpfs -o size=`,
 * as root). Mid-stream another program fills the disk to the last byte (ENOSPC for everyone); the
 * gateway must refuse what it cannot store (no PUBACK: the producers resend), release its spare,
 * checkpoint, evict in its order and keep alarms coming; after a seeded time the filler is removed.
 * The history check then allows seq gaps only where `journal.evicted` named them.
 */
export interface DiskOptions extends Omit<RigOptions, 'keepaliveSec' | 'reconnect' | 'journal'> {
  seed: number
  /** Size of the tmpfs. */
  diskBytes: number
  spareBytes: number
  /** How long the disk stays full: drawn between these. */
  fullMs: [number, number]
  deadlineMs: number
}

export interface DiskRun {
  run: number
  seed: number
  total: number
  /** Acknowledged when the disk was filled, and when it was freed. */
  ackedAtFill: number
  ackedAtFree: number
  fullMs: number
  /** Log lines the gateway wrote at error level while the disk was full. */
  errorLines: number
  /** The gateway stopped by itself (it must not). */
  exited: string | null
  integrity: string[]
  report: CheckReport
  error?: string
}

export async function diskRun(run: number, o: DiskOptions): Promise<DiskRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const fullMs = Math.floor(o.fullMs[0] + rnd() * (o.fullMs[1] - o.fullMs[0]))
  const result: DiskRun = {
    run,
    seed,
    total: 0,
    ackedAtFill: 0,
    ackedAtFree: 0,
    fullMs,
    errorLines: 0,
    exited: null,
    integrity: [],
    report: checkHistory([], []),
  }
  let fs: SmallFs | undefined
  try {
    fs = mountSmallFs(o.diskBytes)
    const disk = fs
    await withRig(
      { ...o, keepaliveSec: 5, reconnect: true, journal: { path: `${disk.dir}/journal.db`, spareBytes: o.spareBytes } },
      seed,
      rnd,
      o.deadlineMs,
      result,
      async (r, deadline) => {
        const gw = await r.start()
        result.total = r.all().length
        const at = Math.floor(r.mqttTotal * (0.2 + rnd() * 0.4))
        await until(`${at} acknowledged`, () => r.mqttAcked() >= at || r.done(), deadline)
        result.ackedAtFill = r.acked()
        const errorsBefore = gw.lines.filter((l) => Number(l['level']) >= 50).length
        disk.fill()
        await new Promise((res) => setTimeout(res, fullMs))
        disk.unfill()
        result.ackedAtFree = r.acked()
        result.errorLines = gw.lines.filter((l) => Number(l['level']) >= 50).length - errorsBefore
        if (gw.child.exitCode !== null || gw.child.signalCode !== null) {
          result.exited = String(gw.child.exitCode ?? gw.child.signalCode)
          await r.start()
        }
      },
    )
  } catch (err) {
    result.error = (err as Error).message
  } finally {
    fs?.unmount()
  }
  return result
}

export function diskLine(r: DiskRun): string {
  return (
    `disk run ${r.run} seed ${r.seed}: full for ${r.fullMs} ms from ${r.ackedAtFill} to ${r.ackedAtFree} of ${r.total} acknowledged, ${r.errorLines} error lines, ` +
    `${r.exited === null ? 'kept running' : `stopped by itself (${r.exited})`}; lost ${r.report.lost.length}, dup content ${r.report.duplicateContent.length}, ` +
    `order ${r.report.orderViolations.length}, seq gaps ${r.report.seqGaps} (+${r.report.seqGapsExplained} reported evicted); integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
