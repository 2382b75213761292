import { readFileSync } from 'node:fs'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { Journal } from '../../../gateway/journal/journal.js'
import { buildEvent } from '../../../base/events/event.js'
import type { Priority } from '../../../base/events/types.js'
import pino from 'pino'
import { checkHistory, delayFigures, type CheckReport, type DelayFigures, type Sent } from '../checker.js'
import { Rig, until } from '../lib/rig.js'
import { seededUuid } from '../lib/seeded-uuid.js'
import { gatewayEnv, gatewayNodeFlags } from '../../../bench/lib/procs.js'

/**
 * Scenario 8, a long outage: hours of a compound's events stand in as a journal pre-filled with
 * `events` undelivered events from `devices` devices: a fire panel (5 % of the events, life safety),
 * two intrusion panels (10 %, security) and the rest information (parking, tests),
 * written while the platform was unreachable. Then the gateway starts with the platform back and
 * drains it: every event must arrive, each device's in order, life safety and security ahead of
 * information, with the gateway's memory bounded while it does.
 */
export interface OutageOptions {
  seed: number
  events: number
  devices: number
  deadlineMs: number
}

export interface OutageRun {
  run: number
  seed: number
  total: number
  prefillMs: number
  /** Gateway start to the last event at the platform. */
  drainMs: number
  eventsPerSec: number
  /** Peak resident memory of the gateway process while draining (VmHWM), MiB. */
  peakRssMiB: number
  /** Where, in the order of first arrival (0..1), the last urgent (priority 1-2) event arrived. */
  lastUrgentAt: number
  /** The same for the first information event: urgent events drain ahead when it is above the share of urgent ones. */
  firstInfoAt: number
  urgentShare: number
  /** Median position (0..1) in the order of first arrival of urgent events, and of information events. */
  urgentMedianAt: number
  infoMedianAt: number
  /** Event's commit (prefill) to arrival, ms. */
  delayMs: DelayFigures
  integrity: string[]
  report: CheckReport
  error?: string
}

const TYPES: Array<[string, Priority]> = [
  ['fire', 1],
  ['intrusion', 2],
  ['test', 4],
]

/** A device sends one kind of event; the draw picks the device: o0 fire, o1-o2 intrusion, the rest information. */
function deviceFor(r: number, devices: number): { device: string; type: number } {
  if (r < 0.05) return { device: 'o0', type: 0 }
  if (r < 0.15) return { device: `o${1 + Math.floor((r - 0.05) * 20)}`, type: 1 }
  return { device: `o${3 + Math.floor(((r - 0.15) / 0.85) * (devices - 3))}`, type: 2 }
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : 0
}

export async function outageRun(run: number, o: OutageOptions): Promise<OutageRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const result: OutageRun = {
    run,
    seed,
    total: o.events,
    prefillMs: 0,
    drainMs: 0,
    eventsPerSec: 0,
    peakRssMiB: 0,
    lastUrgentAt: 0,
    firstInfoAt: 0,
    urgentShare: 0,
    urgentMedianAt: 0,
    infoMedianAt: 0,
    delayMs: delayFigures([]),
    integrity: [],
    report: checkHistory([], []),
  }
  let rig: Rig | undefined
  try {
    rig = await Rig.open({ producers: 0, eventsPerProducer: 0, window: 1, alarmMessages: 0, keepaliveSec: 5 }, seed, rnd)
    const sent: Sent[] = []
    const urgent = new Set<string>()
    const t0 = Date.now()
    const journal = await Journal.open({
      path: rig.journal,
      maxRows: o.events * 2,
      maxBytes: 8 * 1024 ** 3,
      maxAgeMs: 30 * 86_400_000,
      spareBytes: 0,
      batchMaxEvents: 2000,
      uplinks: ['platform'],
      log: pino({ level: 'silent' }),
      now: Date.now,
    })
    const newId = seededUuid(rnd)
    const seqs = new Map<string, number>()
    for (let i = 0; i < o.events; i += 4000) {
      const batch: Array<Promise<unknown>> = []
      for (let k = i; k < Math.min(o.events, i + 4000); k++) {
        const d = deviceFor(rnd(), o.devices)
        const device = d.device
        const [type, priority] = TYPES[d.type]!
        const n = (seqs.get(device) ?? 0) + 1
        seqs.set(device, n)
        const event = buildEvent({ site: 'chaos', device, kind: 'alarm', location: {} }, { type, priority, attrs: { probe: n } }, newId(), t0)
        if (priority <= 2) urgent.add(event.id)
        sent.push({ device, n, id: event.id, probe: String(n), ackedAt: 0 })
        batch.push(journal.append({ event }))
      }
      await Promise.all(batch)
    }
    await journal.close()
    result.prefillMs = Date.now() - t0
    result.urgentShare = urgent.size / o.events
    const deadline = Date.now() + o.deadlineMs
    const started = Date.now()
    // The heap and malloc settings the Dockerfile and the drain benchmark run with, so the peak RSS
    // compares with the benchmark's bound (node's defaults let garbage build up to about 100 MB more).
    const nodeOptions = [process.env['NODE_OPTIONS'], ...gatewayNodeFlags()].filter(Boolean).join(' ')
    const gw = await rig.start({ env: { ...gatewayEnv(), NODE_OPTIONS: nodeOptions } })
    const plog = rig.plog
    let rss = 0
    const sampler = setInterval(() => {
      rss = Math.max(rss, peakRssMiB(gw.child.pid!))
    }, 500)
    try {
      await until('every event at the platform', () => plog.ids.size >= o.events, deadline)
    } finally {
      clearInterval(sampler)
    }
    rss = Math.max(rss, peakRssMiB(gw.child.pid!))
    result.drainMs = Date.now() - started
    result.eventsPerSec = Math.round(o.events / (result.drainMs / 1000))
    result.peakRssMiB = Math.round(rss)
    const firsts: string[] = []
    const seen = new Set<string>()
    for (const a of plog.arrivals)
      if (!seen.has(a.id)) {
        seen.add(a.id)
        firsts.push(a.id)
      }
    let lastUrgent = 0
    let firstInfo = -1
    const urgentAt: number[] = []
    const infoAt: number[] = []
    firsts.forEach((id, i) => {
      if (urgent.has(id)) {
        lastUrgent = i
        urgentAt.push(i)
      } else {
        if (firstInfo < 0) firstInfo = i
        infoAt.push(i)
      }
    })
    result.urgentMedianAt = (urgentAt[urgentAt.length >> 1] ?? 0) / firsts.length
    result.infoMedianAt = (infoAt[infoAt.length >> 1] ?? 0) / firsts.length
    result.lastUrgentAt = lastUrgent / firsts.length
    result.firstInfoAt = firstInfo / firsts.length
    result.delayMs = delayFigures(plog.arrivals.map((a) => a.arrivedAt - started))
    result.integrity.push(await rig.kill())
    result.report = checkHistory(sent, plog.arrivals)
  } catch (err) {
    result.error = (err as Error).message
  } finally {
    await rig?.close()
  }
  return result
}

export function outageLine(r: OutageRun): string {
  return (
    `outage run ${r.run} seed ${r.seed}: ${r.total} events pre-filled in ${r.prefillMs} ms; drained in ${r.drainMs} ms (${r.eventsPerSec}/s), peak RSS ${r.peakRssMiB} MiB; ` +
    `urgent ${(r.urgentShare * 100).toFixed(1)} %: median urgent at ${(r.urgentMedianAt * 100).toFixed(1)} %, median information at ${(r.infoMedianAt * 100).toFixed(1)} %, last urgent at ${(r.lastUrgentAt * 100).toFixed(1)} % of arrivals; lost ${r.report.lost.length}, dup content ${r.report.duplicateContent.length}, ` +
    `order ${r.report.orderViolations.length}, seq gaps ${r.report.seqGaps}; integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
