import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { checkHistory, delayFigures, type CheckReport, type DelayFigures } from '../checker.js'
import { until, withRig } from '../lib/rig.js'
import { PRODUCER } from '../../helpers/harness.js'

/**
 * Per-producer fairness at the ingest gate: producer p1 sends alarms one at a time, 50 ms apart,
 * while p0 floods as fast as it is acknowledged with a wide window. p1's acknowledgement latency is
 * measured with the flood and, in the same run before it starts, without. Nothing is asserted about
 * speed; the figures say how much a flood delays another producer's alarms.
 */
export interface FairnessOptions {
  seed: number
  floodEvents: number
  floodWindow: number
  alarms: number
  deadlineMs: number
}

export interface FairnessRun {
  run: number
  seed: number
  total: number
  /** p1's send-to-PUBACK, ms: alone, and during p0's flood. */
  aloneMs: DelayFigures
  floodedMs: DelayFigures
  /** p0's acknowledged events per second during the flood. */
  floodRate: number
  integrity: string[]
  report: CheckReport
  error?: string
}

export async function fairnessRun(run: number, o: FairnessOptions): Promise<FairnessRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const result: FairnessRun = {
    run,
    seed,
    total: 0,
    aloneMs: delayFigures([]),
    floodedMs: delayFigures([]),
    floodRate: 0,
    integrity: [],
    report: checkHistory([], []),
  }
  const shapes = [
    { window: o.floodWindow, paceMs: 0, events: o.floodEvents },
    { window: 1, paceMs: 50, events: o.alarms },
  ]
  await withRig(
    { producers: 2, eventsPerProducer: 0, window: 1, alarmMessages: 0, keepaliveSec: 5, shapes },
    seed,
    rnd,
    o.deadlineMs,
    result,
    async (r, deadline) => {
      const [flood, alarms] = r.producers as [(typeof r.producers)[0], (typeof r.producers)[0]]
      const gw = await r.start()
      result.total = r.all().length
      // The flood waits: stop it at once, let a fifth of the alarms through alone, then let it go.
      flood.stop()
      const alone = Math.floor(o.alarms / 5)
      await until(`${alone} alarms alone`, () => alarms.acked >= alone, deadline)
      const floodStart = Date.now()
      const floodFrom = flood.acked
      await flood.start(gw.brokerPort, PRODUCER)
      await until('the flood', () => flood.done || alarms.done, deadline)
      // Alarms sent between the flood's start and the moment it (or the alarms) finished were sent during it.
      const floodEnd = Date.now()
      result.floodRate = Math.round((flood.acked - floodFrom) / ((floodEnd - floodStart) / 1000))
      const lat = (m: { sentAt?: number; ackedAt?: number }) => (m.ackedAt ?? 0) - (m.sentAt ?? 0)
      const acked = alarms.messages.filter((m) => m.ackedAt !== undefined)
      result.aloneMs = delayFigures(acked.filter((m) => m.ackedAt! < floodStart).map(lat))
      result.floodedMs = delayFigures(acked.filter((m) => m.sentAt! >= floodStart && m.sentAt! <= floodEnd).map(lat))
    },
  )
  return result
}

export function fairnessLine(r: FairnessRun): string {
  return (
    `fairness run ${r.run} seed ${r.seed}: alarms alone p50 ${r.aloneMs.p50} ms p99 ${r.aloneMs.p99} ms; during a flood of ${r.floodRate}/s p50 ${r.floodedMs.p50} ms p99 ${r.floodedMs.p99} ms max ${r.floodedMs.max} ms (${r.floodedMs.count} alarms); ` +
    `lost ${r.report.lost.length}, order ${r.report.orderViolations.length}; integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
