import net from 'node:net'
import { once } from 'node:events'
import type { Logger } from '../../base/log.js'
import { Transport } from '../../adapters/transport/transport.js'
import { SerialPortTransportSchema } from '../../adapters/transport/config.js'
import type { ReceiverModel, Transmission } from './model.js'

export interface WireOptions {
  log: Logger
  /** A slow or congested link: each byte waits this long (0: as fast as the port goes). */
  byteDelayMs?: number
  /** Called for every transmission, after it is written (tests and the CLI watch the traffic). */
  onTransmit?: (t: Transmission) => void
  now?: () => number
}

/** Runs a model against a byte link: its clock, its writes, and the host's answers. */
class Driver {
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()
  private stopped = false
  /**
   * ACK and NAK from the host ignored, as if lost on the way back: all of them (true), or only
   * the answers to events ('events': heartbeats still go through, so the link stays up).
   */
  deaf: boolean | 'events' = false

  constructor(
    readonly model: ReceiverModel,
    private readonly write: (bytes: Buffer) => Promise<void>,
    private readonly o: WireOptions,
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)()
  }

  start(): void {
    this.schedule()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  onData(chunk: Buffer): void {
    if (this.deaf === true || this.stopped) return
    for (const byte of chunk) {
      if (this.deaf === 'events' && this.model.awaiting === 'event') continue
      this.send(this.model.receive(byte, this.now()))
    }
    this.schedule()
  }

  /** Wakes the model now (after enqueue from outside). */
  poke(): void {
    this.schedule()
  }

  /** A receiver that stops talking (hung CPU, cable cut on its side): no heartbeats, no answers. */
  pause(paused: boolean): void {
    this.stopped = paused
    if (paused) clearTimeout(this.timer)
    else this.schedule()
  }

  private schedule(): void {
    if (this.stopped) return
    clearTimeout(this.timer)
    const now = this.now()
    const delay = Math.max(0, Math.min(this.model.nextWakeAt(now) - now, 2 ** 31 - 1))
    this.timer = setTimeout(() => {
      this.send(this.model.tick(this.now()))
      this.schedule()
    }, delay)
  }

  private send(ts: Transmission[]): void {
    for (const t of ts) {
      this.writing = this.writing.then(() => this.put(t))
    }
  }

  private async put(t: Transmission): Promise<void> {
    try {
      const delay = this.o.byteDelayMs ?? 0
      if (delay <= 0) await this.write(t.bytes)
      else
        for (const b of t.bytes) {
          await this.write(Buffer.from([b]))
          await new Promise((r) => setTimeout(r, delay))
        }
    } catch (err) {
      // The line is down (unplugged): the model times out and repeats, as a receiver does.
      this.o.log.debug({ err, what: t.what }, 'transmission lost')
    }
    this.o.onTransmit?.(t)
  }
}

export interface ReceiverPort {
  /** `tcp://127.0.0.1:port`, or the serial path. */
  address: string
  model: ReceiverModel
  /** Wake the model after enqueueing events from outside. */
  poke(): void
  /**
   * Ignore the host's answers as if every ACK were lost (true), only those to events, so
   * heartbeats keep the link up ('events'), or hear them again (false).
   */
  setDeaf(deaf: boolean | 'events'): void
  /** Fall silent (true): no heartbeats, no messages, no answers heard; or resume (false). */
  pause(paused: boolean): void
  close(): Promise<void>
}

/**
 * The receiver behind a serial device server: a TCP server on loopback the gateway connects to.
 * One host at a time, as device servers allow; a new connection replaces the old.
 * `unplug(ms)` drops the connection and refuses new ones for a while (a rebooting device server).
 */
export async function serveTcp(
  model: ReceiverModel,
  opts: WireOptions & { port?: number; host?: string },
): Promise<ReceiverPort & { port: number; unplug(downMs: number): Promise<void> }> {
  const host = opts.host ?? '127.0.0.1'
  let current: net.Socket | undefined
  const driver = new Driver(
    model,
    async (bytes) => {
      const s = current
      if (!s || s.destroyed) throw new Error('no host connected')
      await new Promise<void>((resolve, reject) => s.write(bytes, (err) => (err ? reject(err) : resolve())))
    },
    opts,
  )
  const onConnection = (s: net.Socket): void => {
    current?.destroy()
    current = s
    s.setNoDelay(true)
    s.on('data', (chunk: Buffer) => driver.onData(chunk))
    s.on('error', () => undefined)
    s.on('close', () => {
      if (current === s) current = undefined
    })
    opts.log.debug('host connected')
  }
  let server = net.createServer(onConnection)
  server.listen(opts.port ?? 0, host)
  await once(server, 'listening')
  const port = (server.address() as net.AddressInfo).port
  driver.start()
  const closeServer = async (): Promise<void> => {
    current?.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  }
  return {
    address: `tcp://${host}:${port}`,
    port,
    model,
    poke: () => driver.poke(),
    setDeaf: (d) => void (driver.deaf = d),
    pause: (p) => driver.pause(p),
    async unplug(downMs) {
      await closeServer()
      await new Promise((r) => setTimeout(r, downMs))
      server = net.createServer(onConnection)
      server.listen(port, host)
      await once(server, 'listening')
    },
    async close() {
      driver.stop()
      await closeServer()
    },
  }
}

/**
 * The receiver on a serial device: a real port, or one end of a socat PTY pair. The port is
 * reopened when it comes back, so an unplugged PTY pair can be replugged under it.
 */
export async function openSerial(model: ReceiverModel, opts: WireOptions & { path: string; baudRate?: number }): Promise<ReceiverPort> {
  const transport = new Transport(
    SerialPortTransportSchema.parse({ path: opts.path, baudRate: opts.baudRate ?? 9600, backoff: { initialMs: 50, maxMs: 1000 } }),
    { log: opts.log },
  )
  const driver = new Driver(model, (bytes) => transport.write(bytes), opts)
  transport.on('data', (chunk) => driver.onData(chunk))
  const opened = once(transport, 'open', { signal: AbortSignal.timeout(10_000) })
  transport.start()
  await opened
  driver.start()
  return {
    address: opts.path,
    model,
    poke: () => driver.poke(),
    setDeaf: (d) => void (driver.deaf = d),
    pause: (p) => driver.pause(p),
    async close() {
      driver.stop()
      await transport.stop()
    },
  }
}
