import net from 'node:net'
import type { Logger } from '../../base/log.js'
import { OsdpFramer } from '../../adapters/osdp/framer.js'
import type { DecodedFrame } from '../../adapters/osdp/codec.js'
import { SerialPortTransportSchema, Transport } from '../../adapters/transport/index.js'
import type { AccessBusModel } from './model.js'

export interface WireOptions {
  model: AccessBusModel
  log: Logger
  now?: () => number
  /**
   * Emulate an RS-485 line at this baud rate: a reply goes out only after the command and the reply
   * would have crossed the wire (10 bits a byte). 0 = as fast as the port allows. A PTY or TCP
   * socket has no baud rate of its own, so this is what makes bus timing realistic.
   */
  lineBaudRate?: number
  /** The reader's turnaround before it answers [OSDP 2.2 §5.7 allows up to 3 ms typical]. */
  turnaroundMs?: number
}

export interface RunningWire {
  /** The TCP port (TCP mode) or 0. */
  port: number
  close(): Promise<void>
}

/** Sub-millisecond wall clock: at 115200 baud a whole exchange takes about 1.5 ms. */
const hrNow = (): number => performance.timeOrigin + performance.now()

/**
 * Calls `fn` at absolute time `at` (hrNow), never early: timers sleep to within a millisecond, then
 * setImmediate spins the rest (timers alone have millisecond granularity and may fire early).
 */
function runAt(at: number, fn: () => void): void {
  const left = at - hrNow()
  if (left <= 0) fn()
  else if (left > 1.5) setTimeout(() => runAt(at, fn), left - 1)
  else setImmediate(() => runAt(at, fn))
}

/** Frames bytes from the control panel, asks the model, writes replies in order with line timing. */
function responder(opts: WireOptions, write: (b: Buffer) => void): (chunk: Buffer) => void {
  const now = opts.now ?? hrNow
  const framer = new OsdpFramer()
  const msPerByte = opts.lineBaudRate ? 10_000 / opts.lineBaudRate : 0
  let lineFreeAt = 0
  framer.on('data', (f: DecodedFrame) => {
    const t = now()
    const reply = opts.model.handle(f, t)
    if (!reply) return
    if (msPerByte === 0 && !opts.turnaroundMs) {
      write(reply)
      return
    }
    // The command occupied the line (mark byte included), then our turnaround, then the reply.
    const arrived = hrNow()
    const start = Math.max(arrived + msPerByte * (f.raw.length + 1), lineFreeAt)
    const doneAt = start + (opts.turnaroundMs ?? 0) + msPerByte * reply.length
    lineFreeAt = doneAt
    runAt(doneAt, () => write(reply))
  })
  return (chunk) => framer.write(chunk)
}

/** Serves the bus on a TCP port, as a serial device server would (127.0.0.1, port 0 by default). */
export function serveTcp(opts: WireOptions & { host?: string; port?: number }): Promise<RunningWire> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((sock) => {
    sock.setNoDelay(true)
    sockets.add(sock)
    const feed = responder(opts, (b) => {
      if (!sock.destroyed) sock.write(b)
    })
    sock.on('data', feed)
    sock.on('error', (err) => opts.log.debug({ err }, 'simulator socket error'))
    sock.on('close', () => sockets.delete(sock))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      opts.log.info({ port, readers: [...opts.model.pds.keys()] }, 'OSDP reader simulator listening')
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}

/** Serves the bus on a serial port or one end of a socat PTY pair. */
export async function serveSerial(opts: WireOptions & { path: string }): Promise<RunningWire> {
  const transport = new Transport(SerialPortTransportSchema.parse({ path: opts.path, backoff: { initialMs: 50, maxMs: 500 } }), { log: opts.log })
  const feed = responder(opts, (b) => {
    transport.write(b).catch((err: unknown) => opts.log.debug({ err }, 'simulator write failed'))
  })
  transport.on('data', feed)
  const opened = new Promise<void>((resolve) => transport.once('open', () => resolve()))
  transport.start()
  await opened
  opts.log.info({ path: opts.path, readers: [...opts.model.pds.keys()] }, 'OSDP reader simulator on serial port')
  return { port: 0, close: () => transport.stop() }
}
