import { createServer, type Socket } from 'node:net'
import { SerialPort } from 'serialport'
import { crc16 } from '../../adapters/modbus/crc.js'
import { RtuFramer, type RtuDrop } from '../../adapters/modbus/framer.js'
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../../base/timers.js'
import type { OpenLink } from '../../adapters/transport/link.js'
import { TransportError } from '../../base/errors.js'
import type { Logger } from '../../base/log.js'
import type { ParkingBusModel } from './model.js'

/**
 * The simulated bus on a real port: a TCP server (like a serial device server in raw TCP mode)
 * or one end of a socat PTY pair. Each connection gets its own request framer.
 */
export interface WireOptions {
  log?: Logger
  /**
   * Emulates the line: each reply waits for the request's and the reply's bytes at this rate
   * (10 bits a character, 8N1), so a benchmark meets the bus's real ceiling. Off when unset.
   */
  baudRate?: number
  /** Every unit's own processing time before it answers (added to the model's per-unit delay). */
  replyDelayMs?: number
  /** Clock and timers for the replies' delays (fake ones in tests); the process's own by default. */
  timers?: Timers
  /** TCP only: `mbap` answers as a Modbus TCP gateway instead of a transparent device server. */
  framing?: 'rtu' | 'mbap'
}

export interface WireServer {
  /** `tcp://127.0.0.1:port` or the PTY path. */
  address: string
  port?: number
  close(): Promise<void>
}

interface Endpoint {
  input(b: Buffer): void
  close(): void
}

/** The process's timers with a sub-millisecond clock, so the line pacing keeps its fractions. */
const PRECISE_TIMERS: Timers = { ...SYSTEM_TIMERS, now: () => performance.now() }

/** Answers whole RTU requests from the model, paced like the line when asked to. */
function responder(model: ParkingBusModel, opts: WireOptions) {
  const clock = opts.timers ?? PRECISE_TIMERS
  const timers = new Set<TimerHandle>()
  // A virtual line clock: timers fire on whole milliseconds, so each reply is due when the line
  // (kept to the fraction) is free, and rounding never lets the bus beat its baud rate on average.
  let lineFreeAt = 0
  return {
    respond(req: Buffer, send: (reply: Buffer) => void): void {
      const reply = model.handle(req)
      if (reply === null) return
      const now = clock.now()
      const lineMs = opts.baudRate ? ((req.length + reply.length) * 10 * 1000) / opts.baudRate : 0
      // One request at a time: a slow unit's replies queue behind each other, as on the real line.
      lineFreeAt = Math.max(lineFreeAt, now) + lineMs + (opts.replyDelayMs ?? 0) + model.replyDelayOf(req[0] as number)
      const delay = lineFreeAt - now
      if (delay <= 0) {
        send(reply)
        return
      }
      const t = clock.setTimeout(() => {
        timers.delete(t)
        send(reply)
      }, delay)
      timers.add(t)
    },
    close(): void {
      for (const t of timers) clock.clearTimeout(t)
    },
  }
}

/** RTU bytes in and out: requests found by the slave framer (pinned by the test vectors). */
function rtuEndpoint(model: ParkingBusModel, write: (b: Buffer) => void, opts: WireOptions): Endpoint {
  const framer = new RtuFramer({ role: 'slave' })
  const r = responder(model, opts)
  framer.on('data', (req: Buffer) => r.respond(req, write))
  framer.on('drop', (d: RtuDrop) => opts.log?.debug({ reason: d.reason, bytes: d.bytes }, 'simulator dropped bytes'))
  return {
    input: (b) => framer.write(b),
    close: () => {
      r.close()
      framer.destroy()
    },
  }
}

/**
 * Modbus TCP in front of the model: unwraps each MBAP request [MB-TCP §3.1.3] into an RTU frame
 * and wraps the reply with the request's transaction id. Written here on its own, not with the
 * gateway's MBAP codec, so one cannot hide the other's mistake.
 */
function mbapEndpoint(model: ParkingBusModel, write: (b: Buffer) => void, opts: WireOptions): Endpoint {
  const r = responder(model, opts)
  let buf = Buffer.alloc(0)
  return {
    input(b) {
      buf = Buffer.concat([buf, b])
      while (buf.length >= 6) {
        const len = buf.readUInt16BE(4)
        if (buf.length < 6 + len) break
        const head = Buffer.from(buf.subarray(0, 6))
        const body = buf.subarray(6, 6 + len)
        buf = buf.subarray(6 + len)
        const frame = Buffer.alloc(body.length + 2)
        body.copy(frame)
        frame.writeUInt16LE(crc16(body), body.length)
        r.respond(frame, (reply) => {
          head.writeUInt16BE(reply.length - 2, 4)
          write(Buffer.concat([head, reply.subarray(0, reply.length - 2)]))
        })
      }
    },
    close: () => r.close(),
  }
}

/**
 * The simulated bus as an in-process link for the gateway's transport (`BusPool`'s `open`), so
 * timing tests run the real bus, framers and simulator on fake timers. Each open is a new line.
 */
export function inProcessLink(model: ParkingBusModel, opts: WireOptions = {}): OpenLink {
  return async (handlers) => {
    let open = true
    const ep = (opts.framing === 'mbap' ? mbapEndpoint : rtuEndpoint)(model, (b) => open && handlers.onData(b), opts)
    return {
      write: async (data) => {
        if (!open) throw new TransportError('the in-process link is closed')
        ep.input(data)
      },
      close: async () => {
        open = false
        ep.close()
      },
    }
  }
}

/** Listens on 127.0.0.1 (port 0: the OS picks one). */
export function serveTcp(model: ParkingBusModel, opts: WireOptions & { host?: string; port?: number } = {}): Promise<WireServer> {
  const sockets = new Set<Socket>()
  const server = createServer((sock) => {
    sock.setNoDelay(true)
    sockets.add(sock)
    const ep = (opts.framing === 'mbap' ? mbapEndpoint : rtuEndpoint)(model, (b) => sock.write(b), opts)
    sock.on('data', (b) => ep.input(b))
    sock.on('error', (err) => opts.log?.debug({ err }, 'simulator socket error'))
    sock.on('close', () => {
      ep.close()
      sockets.delete(sock)
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      resolve({
        address: `tcp://${opts.host ?? '127.0.0.1'}:${port}`,
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

/** Serves on a serial device (the simulator's end of a PTY pair, or a real RS-485 adapter). */
export function servePort(model: ParkingBusModel, path: string, opts: WireOptions = {}): Promise<WireServer> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: opts.baudRate ?? 9600, autoOpen: false })
    port.open((err) => {
      if (err) {
        reject(err)
        return
      }
      const ep = rtuEndpoint(model, (b) => port.write(b), opts)
      port.on('data', (b: Buffer) => ep.input(b))
      port.on('error', (e: Error) => opts.log?.warn({ err: e }, 'simulator port error'))
      resolve({
        address: path,
        close: () =>
          new Promise<void>((done) => {
            ep.close()
            if (!port.isOpen) done()
            else port.close(() => done())
          }),
      })
    })
  })
}
