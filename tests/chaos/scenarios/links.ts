import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { checkHistory } from '../checker.js'
import { until, withRig, type RigOptions, type RunOutcome } from '../lib/rig.js'
import type { LinkMode } from '../lib/tcp-proxy.js'

/**
 * Scenario 5, half-open and bad links, on the uplink: a TCP proxy between the gateway and the
 * platform stalls (both sockets open, nothing through) for longer than the keepalive, then heals;
 * then latency with jitter, abrupt cuts, and resets after a few hundred to a few thousand bytes,
 * while the producers' backlog and the alarm receiver's messages flow. Seeded durations and sizes.
 */
export interface LinksOptions extends Omit<RigOptions, 'keepaliveSec' | 'reconnect' | 'faultyUplink'> {
  seed: number
  deadlineMs: number
}

export interface LinksRun extends RunOutcome {
  run: number
  seed: number
  total: number
  phases: string[]
  /** From healing the stalled link to the next event at the platform. */
  healToEventMs: number | undefined
  cuts: number
  connections: number
}

const KEEPALIVE_SEC = 5
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export async function linksRun(run: number, o: LinksOptions): Promise<LinksRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const result: LinksRun = { run, seed, total: 0, phases: [], healToEventMs: undefined, cuts: 0, connections: 0, integrity: [], report: checkHistory([], []) }
  const ms = (min: number, max: number): number => Math.round(min + rnd() * (max - min))
  await withRig({ ...o, keepaliveSec: KEEPALIVE_SEC, faultyUplink: true }, seed, rnd, o.deadlineMs, result, async (r, deadline) => {
    const link = r.link!
    const set = (mode: LinkMode, what: string): void => {
      link.set(mode)
      result.phases.push(what)
    }
    await r.start()
    result.total = r.all().length
    await sleep(ms(0, 1000))
    // Half-open for longer than 1.5 keepalives: only the keepalive can tell the link is dead.
    const stallMs = ms(KEEPALIVE_SEC * 1500 + 1000, KEEPALIVE_SEC * 3000)
    set({ kind: 'stall' }, `stall ${stallMs} ms`)
    await sleep(stallMs)
    const seen = r.plog.arrivals.length
    set({ kind: 'pass' }, 'heal')
    const healed = Date.now()
    await until('an event after healing', () => r.plog.arrivals.length > seen || (r.done() && r.plog.ids.size >= r.all().length), deadline)
    if (r.plog.arrivals.length > seen) result.healToEventMs = Date.now() - healed
    const delayMs = ms(5, 50)
    const jitterMs = ms(10, 200)
    set({ kind: 'pass', delayMs, jitterMs }, `latency ${delayMs}+${jitterMs} ms`)
    await sleep(ms(1000, 3000))
    const cuts = 1 + Math.floor(rnd() * 4)
    for (let i = 0; i < cuts; i++) {
      link.cut()
      await sleep(ms(50, 800))
    }
    result.phases.push(`${cuts} cuts`)
    const bytes = ms(200, 5000)
    set({ kind: 'reset-after', bytes }, `reset after ${bytes} bytes`)
    await sleep(ms(1000, 3000))
    set({ kind: 'pass' }, 'heal')
    result.cuts = link.stats.cuts
    result.connections = link.stats.connections
  })
  return result
}

export function linksLine(r: LinksRun): string {
  return (
    `links run ${r.run} seed ${r.seed}: ${r.phases.join(', ')}; ${r.total} messages, ${r.connections} uplink connections, ${r.cuts} cut; heal to event ${r.healToEventMs ?? '-'} ms; ` +
    `lost ${r.report.lost.length}, dup ids ${r.report.duplicateIds}, dup content ${r.report.duplicateContent.length}, order ${r.report.orderViolations.length}, ` +
    `seq gaps ${r.report.seqGaps}; integrity ${r.integrity.join('/')}${r.error ? `; ERROR ${r.error}` : ''}`
  )
}
