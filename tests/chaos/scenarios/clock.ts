import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { checkHistory } from '../checker.js'
import { until, withRig, type RigOptions, type RunOutcome } from '../lib/rig.js'
import { FakeClock } from '../lib/faketime.js'

/**
 * Scenario 6, clock jumps: the gateway's wall clock (libfaketime) steps +1 h, then -1 day, while
 * MQTT producers and the alarm receiver keep sending; then the gateway is killed, its clock set right
 * while it is down (a box without an RTC battery that boots a day wrong and is corrected by NTP), and
 * restarted: the receiver repeats the message it had no ACK for across that step.
 */
export interface ClockOptions extends Omit<RigOptions, 'keepaliveSec' | 'reconnect'> {
  seed: number
  deadlineMs: number
}

export interface ClockRun extends RunOutcome {
  run: number
  seed: number
  total: number
  /** Each step and the acknowledged count when it was made. */
  steps: string[]
  /** Range of the gateway's clock error seen in events' receivedAt, hours: shows the steps happened. */
  skewHours: { min: number; max: number }
}

/** The wall-clock steps made while events flow; the last one is undone while the gateway is down. */
const STEPS = ['+1h', '-1d']

export async function clockRun(run: number, o: ClockOptions): Promise<ClockRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const result: ClockRun = { run, seed, total: 0, steps: [], skewHours: { min: 0, max: 0 }, integrity: [], report: checkHistory([], []) }
  await withRig({ ...o, keepaliveSec: 5 }, seed, rnd, o.deadlineMs, result, async (r, deadline) => {
    const clock = new FakeClock(r.dir)
    const env = clock.env()
    await r.start({ env })
    result.total = r.all().length
    // Each step at a seeded point of the MQTT stream, in order: between a third and two thirds of
    // what is left, so events flow on both sides of it.
    for (const step of [...STEPS, 'kill']) {
      const from = r.mqttAcked()
      const at = from + Math.floor(((r.mqttTotal - from) * (1 + rnd())) / 3)
      await until(`${at} acknowledged`, () => r.mqttAcked() >= at || r.done(), deadline)
      if (step === 'kill') {
        // The receiver sends a message and never hears its ACK: committed at the stepped-back
        // time, repeated after the restart at the right time, a day later by the wall clock.
        const line = r.line
        const unheard = line?.sendUnheard()
        if (unheard)
          await until(
            'the unheard message at the platform',
            () => r.plog.arrivals.some((a) => a.device === unheard.device && a.probe === unheard.probe),
            deadline,
          )
        result.steps.push(`kill at ${r.acked()}, clock set right while down`)
        result.integrity.push(await r.kill())
        clock.set('+0')
        await r.start({ env })
        line?.hear()
      } else {
        clock.set(step)
        result.steps.push(`${step} at ${r.acked()}`)
      }
    }
    const hours = (ms: number): number => Math.round(ms / 360_000) / 10
    result.skewHours = { min: hours(r.plog.skewMs.min), max: hours(r.plog.skewMs.max) }
  })
  return result
}

export function clockLine(r: ClockRun): string {
  return (
    `clock run ${r.run} seed ${r.seed}: ${r.steps.join(', ')} of ${r.total}; clock error seen ${r.skewHours.min} h to ${r.skewHours.max} h; lost ${r.report.lost.length}, dup ids ${r.report.duplicateIds}, ` +
    `dup content ${r.report.duplicateContent.length}, order ${r.report.orderViolations.length}, seq gaps ${r.report.seqGaps}; integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
