import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { harnessConfig, PRODUCER, SITE, UPLINK_USER } from '../../helpers/harness.js'
import { spawnGateway, writeConfig, type SpawnedGateway } from '../../helpers/spawn-gateway.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'
import { startPlatformSim, type PlatformSim } from '../../../simulators/platform/platform.js'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { checkHistory, summarize, type CheckReport, type Sent } from '../checker.js'
import { ChaosProducer } from '../lib/producer.js'
import { PlatformLog } from '../lib/platform-log.js'
import { integrityOfCopy } from '../lib/integrity.js'
import { AlarmLine } from '../lib/alarm-line.js'
import { seededUuid } from '../lib/seeded-uuid.js'

/**
 * Scenario 1, crash anywhere: mixed load on the real gateway process (MQTT producers with their
 * own ids, an alarm receiver on a serial line through a socat PTY pair), `kill -9` at seeded
 * random moments, restart on the same journal, and at the end the history check. After every kill
 * the journal as the crash left it passes `PRAGMA integrity_check`. Some runs first freeze the
 * gateway (SIGSTOP) for longer than the platform's keepalive, then let it go on (SIGCONT).
 */
export interface CrashOptions {
  runs: number
  /** Index of the first run (a run's seed derives from the base seed and its index). */
  firstRun?: number
  seed: number
  producers: number
  eventsPerProducer: number
  /** Unacknowledged QoS 1 publishes each producer keeps in flight. */
  window: number
  /** Messages the alarm receiver sends per run (0: no receiver). */
  alarmMessages: number
  /** Kills per run: 1 to this many, seeded. */
  maxKills: number
  /** Every this-many runs (1-based), a SIGSTOP longer than the keepalive first; 0 never. */
  freezeEvery: number
  /** Safety net for one run's waits on a loaded machine. */
  deadlineMs: number
  log(line: string): void
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
  /** SIGKILL to the first event at the platform after the restart, per kill. */
  recoveryMs: number[]
  report: CheckReport
  /** Why the run did not finish (a deadline passed, a start failed). */
  error?: string
}

const KEEPALIVE_SEC = 5
const TYPES = ['intrusion', 'test', 'fire', 'arm', 'disarm', 'panic']

async function until(what: string, pred: () => boolean, deadline: number): Promise<void> {
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export async function crashRun(run: number, o: CrashOptions): Promise<CrashRun> {
  const seed = (o.seed + run * 7919) >>> 0
  const rnd = seededRandom(seed)
  const dir = mkdtempSync(join(tmpdir(), 'pingan-chaos-crash-'))
  const cleanup: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })]
  const result: CrashRun = { run, seed, killedAtAcked: [], total: 0, froze: false, integrity: [], recoveryMs: [], report: checkHistory([], []) }
  let gw: SpawnedGateway | undefined
  let finished = false
  try {
    const platform: PlatformSim = await startPlatformSim({ users: [UPLINK_USER] })
    cleanup.push(() => platform.close())
    const plog = await PlatformLog.open(platform.url, UPLINK_USER)
    cleanup.push(() => plog.close())
    const newId = seededUuid(rnd)
    const producers = Array.from({ length: o.producers }, (_, i) =>
      new ChaosProducer(SITE, `p${i}`, o.eventsPerProducer, newId, (n) => TYPES[(n + i) % TYPES.length]!, o.window))
    const devices: Array<Record<string, unknown>> = producers.map((p) => ({ id: p.device, adapter: 'mqtt-ingest', kind: 'alarm' }))
    let line: AlarmLine | undefined
    let pty: PtyPair | undefined
    if (o.alarmMessages > 0) {
      pty = await startPtyPair()
      cleanup.push(() => pty!.close())
      devices.push({ id: 'alarm-rx', adapter: 'contact-id', transport: { path: pty.a, reconnectMinMs: 50, reconnectMaxMs: 300 } })
    }
    const config = harnessConfig(dir, platform.url, { devices, uplink: { keepaliveSec: KEEPALIVE_SEC } })
    const configFile = writeConfig({ ...config, log: { level: 'info' } }, dir)
    const deadline = Date.now() + o.deadlineMs
    gw = await spawnGateway(configFile)
    if (pty) {
      line = await AlarmLine.open(pty.b, 'alarm-rx', o.alarmMessages, seed)
      cleanup.push(() => line!.close())
    }
    for (const p of producers) await p.start(gw.brokerPort, PRODUCER)
    const all = (): Sent[] => [...producers.flatMap((p) => p.messages), ...(line?.messages ?? [])]
    result.total = all().length
    const acked = (): number => all().filter((m) => m.ackedAt !== undefined).length
    const done = (): boolean => acked() === result.total

    const kills = 1 + Math.floor(rnd() * o.maxKills)
    const freeze = o.freezeEvery > 0 && run % o.freezeEvery === o.freezeEvery - 1
    // Kill points are drawn over the MQTT producers' stream (the bulk of the load); once it is
    // all acknowledged, a kill lands while the alarm line and the forwarder's drain go on.
    const mqttTotal = o.producers * o.eventsPerProducer
    const mqttAcked = (): number => producers.reduce((s, p) => s + p.acked, 0)
    for (let k = 0; k < kills && !done(); k++) {
      const from = mqttAcked()
      const at = from + Math.floor(rnd() * (mqttTotal - from))
      const lateMs = Math.floor(rnd() * 500)
      await until(`${at} acknowledged`, () => mqttAcked() >= at || done(), deadline)
      if (mqttAcked() >= mqttTotal) await new Promise((r) => setTimeout(r, lateMs))
      if (freeze && k === 0) {
        // Frozen past the platform's keepalive (1.5 x): the platform drops the uplink; on SIGCONT
        // the gateway must notice, reconnect and resend.
        result.froze = true
        gw.child.kill('SIGSTOP')
        await new Promise((r) => setTimeout(r, KEEPALIVE_SEC * 1500 + 1000))
        gw.child.kill('SIGCONT')
        const resumed = acked()
        await until('acknowledgements after SIGCONT', () => acked() > resumed || done(), deadline)
      }
      // A few milliseconds more, seeded, so the kill lands anywhere in a commit or a publish.
      const jitter = Math.floor(rnd() * 20)
      if (jitter > 0) await new Promise((r) => setTimeout(r, jitter))
      result.killedAtAcked.push(acked())
      await gw.kill9()
      const killedAt = Date.now()
      for (const p of producers) p.stop()
      result.integrity.push(await integrityOfCopy(join(dir, 'journal.db')))
      gw = await spawnGateway(configFile)
      const seen = plog.arrivals.length
      for (const p of producers) await p.start(gw.brokerPort, PRODUCER)
      void until('an event after the restart', () => plog.arrivals.length > seen || finished, deadline).then(
        () => { if (!finished) result.recoveryMs.push(Date.now() - killedAt) }, () => undefined)
    }
    await until('every message acknowledged', done, deadline)
    const ok = await plog.waitFor(all().map((m) => m.id).filter((id): id is string => id !== undefined), Math.max(0, deadline - Date.now()))
    if (line) await until('every alarm message at the platform', () => line!.messages.every((m) => plog.arrivals.some((a) => a.device === 'alarm-rx' && a.probe === m.probe)), deadline)
    if (!ok) result.error = 'not every acknowledged event arrived before the deadline'
    await gw.kill9()
    gw = undefined
    result.integrity.push(await integrityOfCopy(join(dir, 'journal.db')))
    result.report = checkHistory(all(), plog.arrivals)
  } catch (err) {
    result.error = (err as Error).message
  } finally {
    finished = true
    await gw?.kill9()
    for (const c of cleanup.reverse()) await c()
  }
  return result
}

/** Runs `o.runs` runs one after another, logging a line per run. */
export async function crashAnywhere(o: CrashOptions): Promise<CrashRun[]> {
  const runs: CrashRun[] = []
  const first = o.firstRun ?? 0
  for (let run = first; run < first + o.runs; run++) {
    const r = await crashRun(run, o)
    runs.push(r)
    o.log(`crash run ${run} seed ${r.seed}: ${r.killedAtAcked.length} kill(s) at ${r.killedAtAcked.join('/')} of ${r.total}${r.froze ? ', frozen first' : ''}; ` +
      `lost ${r.report.lost.length}, dup ids ${r.report.duplicateIds}, dup content ${r.report.duplicateContent.length}, order ${r.report.orderViolations.length}; ` +
      `integrity ${r.integrity.join('/')}; recovery ${r.recoveryMs.join('/')} ms${r.error ? `; ERROR ${r.error}` : ''}`)
    if (!r.report.ok) o.log(`  ${summarize(r.report)}`)
  }
  return runs
}
