import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { harnessConfig, PRODUCER, SITE, UPLINK_USER } from '../../helpers/harness.js'
import { spawnGateway, writeConfig, type SpawnedGateway, type SpawnOptions } from '../../helpers/spawn-gateway.js'
import { startPtyPair } from '../../helpers/pty.js'
import { startPlatformSim } from '../../../simulators/platform/platform.js'
import { checkHistory, type CheckReport, type Sent } from '../checker.js'
import { ChaosProducer } from './producer.js'
import { PlatformLog } from './platform-log.js'
import { integrityOfCopy } from './integrity.js'
import { AlarmLine } from './alarm-line.js'
import { seededUuid } from './seeded-uuid.js'
import { FaultyLink } from './tcp-proxy.js'

export interface RigOptions {
  producers: number
  eventsPerProducer: number
  /** Unacknowledged QoS 1 publishes each producer keeps in flight. */
  window: number
  /** Messages an alarm receiver on a PTY sends (0: no receiver). */
  alarmMessages: number
  keepaliveSec: number
  /** Producers reconnect by themselves when the gateway drops them (it stays up under faults). */
  reconnect?: boolean
  /** Each producer spreads its stream over about this long (default: as fast as acknowledged). */
  trafficMs?: number
  /** The uplink goes through a faulty TCP link (`rig.link`) instead of straight to the platform. */
  faultyUplink?: boolean
  /** Per producer (by index), another window and pace than the rig's: a flood beside a trickle. */
  shapes?: ReadonlyArray<{ window: number; paceMs: number; events: number }>
  /** Merged over the journal's config (e.g. a path on a small file system, a spare file). */
  journal?: Record<string, unknown>
}

const TYPES = ['intrusion', 'test', 'fire', 'arm', 'disarm', 'panic']
/** A gateway start through tsx on a machine this loaded can take far longer than on a quiet one. */
const START_TIMEOUT_MS = 90_000

export async function until(what: string, pred: () => boolean, deadline: number): Promise<void> {
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * One chaos run's world: a platform simulator with a log of every arrival, MQTT producers, an
 * optional alarm receiver on a socat PTY, the gateway process on a journal in a temp dir, and the
 * history check at the end.
 */
export class Rig {
  gw: SpawnedGateway | undefined
  readonly producers: ChaosProducer[]
  line: AlarmLine | undefined
  link: FaultyLink | undefined
  private readonly cleanup: Array<() => Promise<void> | void> = []
  private constructor(
    readonly dir: string,
    readonly plog: PlatformLog,
    private readonly configFile: string,
    private readonly o: RigOptions,
    private readonly seed: number,
    private readonly ptyPath: string | undefined,
    producers: ChaosProducer[],
  ) {
    this.producers = producers
  }

  static async open(o: RigOptions, seed: number, rnd: () => number): Promise<Rig> {
    const dir = mkdtempSync(join(tmpdir(), 'pingan-chaos-'))
    const cleanup: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })]
    try {
      const platform = await startPlatformSim({ users: [UPLINK_USER] })
      cleanup.push(() => platform.close())
      const plog = await PlatformLog.open(platform.url, UPLINK_USER)
      cleanup.push(() => plog.close())
      const newId = seededUuid(rnd)
      const producers = Array.from({ length: o.producers }, (_, i) => {
        const shape = o.shapes?.[i]
        const pace = o.trafficMs === undefined ? 0 : (o.trafficMs * o.window) / o.eventsPerProducer
        return new ChaosProducer(
          SITE,
          `p${i}`,
          shape?.events ?? o.eventsPerProducer,
          newId,
          (n) => TYPES[(n + i) % TYPES.length]!,
          shape?.window ?? o.window,
          shape?.paceMs ?? pace,
        )
      })
      const devices: Array<Record<string, unknown>> = producers.map((p) => ({ id: p.device, adapter: 'mqtt-ingest', kind: 'alarm' }))
      let ptyPath: string | undefined
      if (o.alarmMessages > 0) {
        const pty = await startPtyPair()
        cleanup.push(() => pty.close())
        devices.push({ id: 'alarm-rx', adapter: 'contact-id', transport: { path: pty.a, backoff: { initialMs: 50, maxMs: 300 } } })
        ptyPath = pty.b
      }
      let link: FaultyLink | undefined
      if (o.faultyUplink) {
        const l = await FaultyLink.open(platform.port, rnd)
        cleanup.push(() => l.close())
        link = l
      }
      const config = harnessConfig(dir, link?.url ?? platform.url, {
        devices,
        uplink: { keepaliveSec: o.keepaliveSec },
        ...(o.journal ? { journal: o.journal } : {}),
      })
      const configFile = writeConfig({ ...config, log: { level: 'info' } }, dir)
      const rig = new Rig(dir, plog, configFile, o, seed, ptyPath, producers)
      rig.link = link
      rig.cleanup.push(...cleanup)
      return rig
    } catch (err) {
      for (const c of cleanup.reverse()) await c()
      throw err
    }
  }

  get journal(): string {
    const path = this.o.journal?.['path']
    return typeof path === 'string' ? path : join(this.dir, 'journal.db')
  }

  /** Every message of the run, acknowledged or not. */
  all(): Sent[] {
    return [...this.producers.flatMap((p) => p.messages), ...(this.line?.messages ?? [])]
  }

  acked(): number {
    return this.all().filter((m) => m.ackedAt !== undefined).length
  }

  done(): boolean {
    return this.all().every((m) => m.ackedAt !== undefined)
  }

  get mqttTotal(): number {
    return this.o.producers * this.o.eventsPerProducer
  }

  mqttAcked(): number {
    return this.producers.reduce((s, p) => s + p.acked, 0)
  }

  /** Starts the gateway (on the journal as it is), runs `beforeLoad`, and connects every producer to it. */
  async start(opts: SpawnOptions & { env?: NodeJS.ProcessEnv; beforeLoad?: (gw: SpawnedGateway) => Promise<void> } = {}): Promise<SpawnedGateway> {
    const { env, beforeLoad, ...spawnOpts } = opts
    const gw = await spawnGateway(this.configFile, env ?? {}, { startTimeoutMs: START_TIMEOUT_MS, ...spawnOpts })
    this.gw = gw
    await beforeLoad?.(gw)
    if (this.ptyPath && !this.line) {
      const line = await AlarmLine.open(this.ptyPath, 'alarm-rx', this.o.alarmMessages, this.seed)
      this.line = line
      this.cleanup.push(() => line.close())
    }
    for (const p of this.producers) await p.start(gw.brokerPort, PRODUCER, this.o.reconnect === true)
    return gw
  }

  /** SIGKILL, producers cut off; returns `PRAGMA integrity_check` of the journal the kill left. */
  async kill(): Promise<string> {
    await this.gw?.kill9()
    this.gw = undefined
    for (const p of this.producers) p.stop()
    return integrityOfCopy(this.journal)
  }

  /**
   * Waits until every message is acknowledged and every acknowledged one arrived (or the
   * deadline), kills the gateway, and checks the history. Returns the report, the final
   * integrity check, and why it stopped waiting early if it did.
   */
  async finish(deadline: number): Promise<{ report: CheckReport; integrity: string; error?: string }> {
    let error: string | undefined
    try {
      await until('every message acknowledged', () => this.done(), deadline)
      const ids = this.all()
        .map((m) => m.id)
        .filter((id): id is string => id !== undefined)
      if (!(await this.plog.waitFor(ids, Math.max(0, deadline - Date.now())))) error = 'not every acknowledged event arrived before the deadline'
      const line = this.line
      if (line)
        await until(
          'every alarm message at the platform',
          () => line.messages.every((m) => this.plog.arrivals.some((a) => a.device === 'alarm-rx' && a.probe === m.probe)),
          deadline,
        )
    } catch (err) {
      error = (err as Error).message
    }
    if (this.plog.invalid > 0) error = `${error ? `${error}; ` : ''}${this.plog.invalid} payloads at the platform were not valid events`
    const integrity = await this.kill()
    return { report: checkHistory(this.all(), this.plog.arrivals, { evictedSeqs: this.plog.evictedSeqs }), integrity, ...(error ? { error } : {}) }
  }

  async close(): Promise<void> {
    await this.gw?.kill9()
    for (const p of this.producers) p.stop()
    for (const c of this.cleanup.reverse()) await c()
  }
}

/** What every run reports: integrity after each kill and at the end, the history, and a failure. */
export interface RunOutcome {
  integrity: string[]
  report: CheckReport
  error?: string
}

/**
 * Opens a rig, runs the scenario's part (`body`, which injects the faults), then finishes: every
 * message acknowledged and arrived, the history checked, the journal's integrity checked. Any
 * failure on the way becomes `result.error`; the rig is always closed.
 */
export async function withRig<R extends RunOutcome>(
  o: RigOptions,
  seed: number,
  rnd: () => number,
  deadlineMs: number,
  result: R,
  body: (rig: Rig, deadline: number) => Promise<void>,
): Promise<R> {
  let rig: Rig | undefined
  try {
    rig = await Rig.open(o, seed, rnd)
    const deadline = Date.now() + deadlineMs
    await body(rig, deadline)
    const end = await rig.finish(deadline)
    result.integrity.push(end.integrity)
    result.report = end.report
    if (end.error) result.error = end.error
  } catch (err) {
    result.error = (err as Error).message
  } finally {
    await rig?.close()
  }
  return result
}
