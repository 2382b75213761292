import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { FAULT_POINTS, type FaultPoint } from '../../../base/faults.js'
import { checkHistory, type CheckReport } from '../checker.js'
import { until, withRig, type RigOptions } from '../lib/rig.js'

/**
 * Scenario 1b, kills at named points: the gateway kills itself (SIGKILL, through the fault point
 * `PINGAN_FAULT=<point>:kill:<n>`, gateway/faults.ts) the n-th time it reaches a named point:
 * - `journal.commit`: inside the journal's transaction, rows inserted, COMMIT not issued;
 * - `forwarder.acked`: the platform acknowledged an event, the journal has not recorded it.
 * n is seeded, so a kill lands early, mid-stream or late. Then a restart without the fault, and the
 * history check: nothing acknowledged lost, the unrecorded delivery resent (a duplicate id), order kept.
 */
export interface KillsOptions extends Omit<RigOptions, 'keepaliveSec' | 'reconnect'> {
  seed: number
  /** The n-th time a point is reached is drawn from 1 to this (group commits are far fewer than events). */
  maxHit: Record<FaultPoint, number>
  deadlineMs: number
}

export interface KillsRun {
  run: number
  seed: number
  point: FaultPoint
  hit: number
  total: number
  /** Whether the gateway did kill itself there (a late hit may never be reached). */
  killed: boolean
  /** Acknowledged when it died. */
  ackedAtKill: number
  integrity: string[]
  report: CheckReport
  error?: string
}

export async function killsRun(run: number, o: KillsOptions): Promise<KillsRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const point = FAULT_POINTS[run % FAULT_POINTS.length]!
  const hit = 1 + Math.floor(rnd() * o.maxHit[point])
  const result: KillsRun = { run, seed, point, hit, total: 0, killed: false, ackedAtKill: 0, integrity: [], report: checkHistory([], []) }
  await withRig({ ...o, keepaliveSec: 5 }, seed, rnd, o.deadlineMs, result, async (r, deadline) => {
    // An early hit may kill the gateway while the producers are still connecting: a connection that
    // dies before its CONNACK can leave the MQTT client's connect pending for good, so the start
    // races the gateway's death.
    const died = () => r.gw?.child.signalCode === 'SIGKILL'
    const started = await Promise.race([
      r.start({ env: { PINGAN_FAULT: `${point}:kill:${hit}` } }).then(
        () => undefined,
        (err: unknown) => err,
      ),
      until('the gateway to start or die', died, deadline).then(
        () => undefined,
        () => undefined,
      ),
    ])
    if (started !== undefined) {
      await until("the gateway's exit", () => died() || r.gw?.child.exitCode !== null, Date.now() + 5000).catch(() => undefined)
      if (!died()) throw started
    }
    result.total = r.all().length
    const child = r.gw!.child
    await until('the kill at the named point, or the whole stream', () => child.signalCode !== null || child.exitCode !== null || r.done(), deadline)
    result.killed = child.signalCode === 'SIGKILL'
    result.ackedAtKill = r.acked()
    result.integrity.push(await r.kill())
    await r.start()
  })
  return result
}

export function killsLine(r: KillsRun): string {
  return (
    `kills run ${r.run} seed ${r.seed}: ${r.point} hit ${r.hit}: ${r.killed ? `killed there at ${r.ackedAtKill} of ${r.total} acknowledged` : 'not reached'}; ` +
    `lost ${r.report.lost.length}, dup ids ${r.report.duplicateIds}, dup content ${r.report.duplicateContent.length}, order ${r.report.orderViolations.length}, ` +
    `seq gaps ${r.report.seqGaps}; integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
