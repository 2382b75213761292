import { EventEmitter } from 'node:events'
import type { Worker } from 'node:worker_threads'
import { pino } from 'pino'
import type { Logger } from '../../../base/log.js'
import { UplinkError, errorMessage } from '../../../base/errors.js'
import { startWorker } from '../../../base/worker-thread.js'
import { Backoff } from '../../../base/backoff.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../../../base/timers.js'
import type { OutboxRow } from '../../outbox.js'
import type { Uplink, UplinkEvents, UplinkState } from '../../uplink.js'
import type { MqttUplinkConfig } from '../mqtt-config.js'
import { readUplinkTls } from '../mqtt.js'
import type { FromUplinkThread, ToUplinkThread, UplinkThreadInit } from './messages.js'

/** A stop waits this long for the thread's (the uplink's own grace is 2 s), then ends it. */
const STOP_WAIT_MS = 5000
/** After the thread failed, it is started again after this backoff. */
const RESTART_BACKOFF = { initialMs: 500, maxMs: 10_000 }
/** The V8 heap of the thread: a window of events in flight and the MQTT client's buffers. */
const THREAD_HEAP = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 }

export interface ThreadedUplinkDeps {
  /** The thread's restart timer; the system's by default. */
  timers?: Timers
  /** The thread's module; `worker.ts` beside this file by default (the tests wrap it to make it fail). */
  entry?: URL
}

interface Waiting {
  resolve(): void
  reject(err: Error): void
}

/**
 * The MQTT uplink with its client in a worker thread (`worker.ts`): the gateway's thread keeps
 * the forwarder and its journal, the thread publishes, reads the PUBACKs and answers to the
 * platform. To the forwarder it is an `Uplink` like any other. Rows cross in one message per
 * forwarder pump and acknowledgements in one per turn of the thread's loop.
 *
 * A thread that fails (an exception, out of memory) is an uplink that went down: what was in
 * flight fails as a lost link (the forwarder sends it again from the journal), the failure is
 * logged, and a new thread starts after a backoff.
 */
export class ThreadedUplink extends EventEmitter<UplinkEvents> implements Uplink {
  readonly id: string
  readonly window: number
  private current: UplinkState = 'down'
  private worker: Worker | undefined
  /** Sends not yet settled, by tag (not by position: a row sent again is a new send). */
  private readonly waiting = new Map<number, Waiting>()
  private batch: OutboxRow[] = []
  private tags: number[] = []
  private sends = 0
  private stopping = false
  private restartTimer: TimerHandle | undefined
  private readonly backoff = new Backoff(RESTART_BACKOFF)
  private readonly init: UplinkThreadInit
  private readonly out: pino.DestinationStream
  private readonly timers: Timers
  private readonly entry: URL

  constructor(
    cfg: MqttUplinkConfig,
    site: string,
    private readonly log: Logger,
    deps: ThreadedUplinkDeps = {},
  ) {
    super()
    this.id = cfg.id
    this.window = cfg.inflightWindow
    this.timers = deps.timers ?? SYSTEM_TIMERS
    this.entry = deps.entry ?? new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url)
    // Read here, so a missing certificate stops the gateway at start as before, naming the file.
    this.init = { cfg, site, tls: readUplinkTls(cfg), level: log.level, bindings: log.bindings() }
    this.out = (log as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!
  }

  get state(): UplinkState {
    return this.current
  }

  start(): void {
    this.stopping = false
    this.spawn()
  }

  private spawn(): void {
    const worker = startWorker(this.entry, {
      workerData: this.init,
      resourceLimits: THREAD_HEAP,
      stdout: false,
      stderr: false,
    })
    this.worker = worker
    worker.on('message', (m: FromUplinkThread) => this.received(m))
    worker.on('error', (err) => this.failed(worker, err))
    worker.on('exit', (code) => this.failed(worker, new Error(`the uplink thread exited with code ${code}`)))
    this.post({ t: 'start' })
  }

  private received(m: FromUplinkThread): void {
    switch (m.t) {
      case 'acked':
        for (const tag of m.tags) this.settle(tag)?.resolve()
        return
      case 'failed':
        this.settle(m.tag)?.reject(new UplinkError(m.message, m.refused))
        return
      case 'state':
        // 'up' is taken with its event, so nothing is sent between the two.
        if (m.state !== 'up' && !this.stopping) this.current = m.state
        return
      case 'up':
        this.backoff.reset()
        this.current = 'up'
        this.emit('up')
        return
      case 'down':
        this.emit('down', m.reason, m.suspect)
        return
      case 'command':
        this.emit('command', m.device, Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength))
        return
      case 'log':
        this.out.write(m.line)
        return
      case 'stopped':
        return
    }
  }

  private settle(tag: number): Waiting | undefined {
    const w = this.waiting.get(tag)
    this.waiting.delete(tag)
    return w
  }

  /** The thread ended without being asked: the link is down until a new one connects. */
  private failed(worker: Worker, err: Error): void {
    if (worker !== this.worker) return
    this.worker = undefined
    worker.removeAllListeners()
    void worker.terminate()
    this.failAll('the uplink thread ended')
    if (this.stopping) return
    const delay = this.backoff.next()
    this.log.error({ err, restartInMs: delay }, 'the uplink thread failed; it is started again, and what was in flight is sent again from the journal')
    const wasUp = this.current === 'up'
    this.current = 'down'
    if (wasUp) this.emit('down', `uplink thread failed: ${errorMessage(err)}`)
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = undefined
      if (!this.stopping) this.spawn()
    }, delay)
  }

  private failAll(why: string): void {
    const waiting = [...this.waiting.values()]
    this.waiting.clear()
    this.batch = []
    this.tags = []
    for (const w of waiting) w.reject(new UplinkError(why, false))
  }

  private post(m: ToUplinkThread): void {
    this.worker?.postMessage(m)
  }

  send(row: OutboxRow): Promise<void> {
    if (this.worker === undefined || this.current !== 'up') return Promise.reject(new UplinkError('uplink is not connected', false))
    const tag = ++this.sends
    return new Promise((resolve, reject) => {
      this.waiting.set(tag, { resolve, reject })
      // One message for everything the forwarder sends in this turn.
      if (this.batch.length === 0) queueMicrotask(() => this.flush())
      this.batch.push(row)
      this.tags.push(tag)
    })
  }

  private flush(): void {
    if (this.batch.length === 0) return
    const rows = this.batch
    const tags = this.tags
    this.batch = []
    this.tags = []
    this.post({ t: 'send', rows, tags })
  }

  publishStatus(status: unknown): void {
    this.post({ t: 'status', status })
  }

  publishCommandResult(device: string, payload: Buffer): void {
    this.post({ t: 'result', device, payload })
  }

  async stop(): Promise<void> {
    this.stopping = true
    if (this.restartTimer !== undefined) this.timers.clearTimeout(this.restartTimer)
    this.current = 'stopped'
    const worker = this.worker
    if (!worker) return
    this.flush()
    await new Promise<void>((resolve) => {
      const timer = this.timers.setTimeout(resolve, STOP_WAIT_MS)
      const done = () => {
        this.timers.clearTimeout(timer)
        resolve()
      }
      worker.on('message', (m: FromUplinkThread) => m.t === 'stopped' && done())
      worker.once('exit', done)
      this.post({ t: 'stop' })
    })
    this.worker = undefined
    worker.removeAllListeners()
    this.failAll('uplink stopped')
    await worker.terminate()
  }
}
