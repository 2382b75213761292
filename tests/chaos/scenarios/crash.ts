import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { checkHistory, type CheckReport } from '../checker.js'
import { until, withRig, type RigOptions } from '../lib/rig.js'

/**
 * Scenario 1, crash anywhere: mixed load on the real gateway process (MQTT producers with their
 * own ids, an alarm receiver on a serial line through a socat PTY pair), `kill -9` at seeded
 * random moments, restart on the same journal, and at the end the history check. After every kill
 * the journal as the crash left it passes `PRAGMA integrity_check`. Some runs first freeze the
 * gateway (SIGSTOP) for longer than the platform's keepalive, then let it go on (SIGCONT).
 */
export interface CrashOptions extends Omit<RigOptions, 'keepaliveSec' | 'reconnect'> {
  /** The base seed: a run's own seed derives from it and the run's index. */
  seed: number
  /** Kills per run: 1 to this many, seeded. */
  maxKills: number
  /** Every this-many runs (1-based), a SIGSTOP longer than the keepalive first; 0 never. */
  freezeEvery: number
  /** Safety net for one run's waits on a loaded machine. */
  deadlineMs: number
}

export interface CrashRun {
  run: number
  seed: number
  /** Acknowledged count at each kill (of the run's total). */
  killedAtAcked: number[]
  total: number
  froze: boolean
  /** `PRAGMA integrity_check` after each kill and at the end. */
  integrity: string[]
  /** SIGKILL to the restarted gateway's "gateway started" (a tsx start included), per kill. */
  restartMs: number[]
  /** SIGKILL to the first event at the platform after the restart, per kill. */
  recoveryMs: number[]
  report: CheckReport
  /** Why the run did not finish (a deadline passed, a start failed). */
  error?: string
}

const KEEPALIVE_SEC = 5

export async function crashRun(run: number, o: CrashOptions): Promise<CrashRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const result: CrashRun = { run, seed, killedAtAcked: [], total: 0, froze: false, integrity: [], restartMs: [], recoveryMs: [], report: checkHistory([], []) }
  let finished = false
  await withRig({ ...o, keepaliveSec: KEEPALIVE_SEC }, seed, rnd, o.deadlineMs, result, async (r, deadline) => {
    let gw = await r.start()
    result.total = r.all().length
    const kills = 1 + Math.floor(rnd() * o.maxKills)
    const freeze = o.freezeEvery > 0 && run % o.freezeEvery === o.freezeEvery - 1
    // Kill points are drawn over the MQTT producers' stream (the bulk of the load); once it is
    // all acknowledged, a kill lands while the alarm line and the forwarder's drain go on.
    for (let k = 0; k < kills && !r.done(); k++) {
      const from = r.mqttAcked()
      const at = from + Math.floor(rnd() * (r.mqttTotal - from))
      const lateMs = Math.floor(rnd() * 500)
      await until(`${at} acknowledged`, () => r.mqttAcked() >= at || r.done(), deadline)
      if (r.mqttAcked() >= r.mqttTotal) await new Promise((res) => setTimeout(res, lateMs))
      if (freeze && k === 0) {
        // Frozen past the platform's keepalive (1.5 x): the platform drops the uplink; on SIGCONT
        // the gateway must notice, reconnect and resend.
        result.froze = true
        gw.child.kill('SIGSTOP')
        await new Promise((res) => setTimeout(res, KEEPALIVE_SEC * 1500 + 1000))
        gw.child.kill('SIGCONT')
        const resumed = r.acked()
        await until('acknowledgements after SIGCONT', () => r.acked() > resumed || r.done(), deadline)
      }
      // A few milliseconds more, seeded, so the kill lands anywhere in a commit or a publish.
      const jitter = Math.floor(rnd() * 20)
      if (jitter > 0) await new Promise((res) => setTimeout(res, jitter))
      result.killedAtAcked.push(r.acked())
      const killedAt = Date.now()
      result.integrity.push(await r.kill())
      gw = await r.start()
      result.restartMs.push(Date.now() - killedAt)
      const seen = r.plog.arrivals.length
      void until('an event after the restart', () => r.plog.arrivals.length > seen || finished, deadline).then(
        () => {
          if (!finished) result.recoveryMs.push(Date.now() - killedAt)
        },
        () => undefined,
      )
    }
  })
  finished = true
  return result
}

/** One line per run for the chaos log. */
export function crashLine(r: CrashRun): string {
  return (
    `crash run ${r.run} seed ${r.seed}: ${r.killedAtAcked.length} kill(s) at ${r.killedAtAcked.join('/')} of ${r.total}${r.froze ? ', frozen first' : ''}; ` +
    `lost ${r.report.lost.length}, dup ids ${r.report.duplicateIds}, dup content ${r.report.duplicateContent.length}, order ${r.report.orderViolations.length}; ` +
    `integrity ${r.integrity.join('/')}; restart ${r.restartMs.join('/')} ms, first event ${r.recoveryMs.join('/')} ms${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
