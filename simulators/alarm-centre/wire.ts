import { createServer, type Server, type Socket } from 'node:net'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { CentreModel, type CentreOptions } from './model.js'

/** Frames on a TCP stream: LF, 8 header characters, the body the length gives, CR. */
function cutFrames(buf: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = []
  let i = 0
  for (;;) {
    const lf = buf.indexOf(0x0a, i)
    if (lf < 0) return { frames, rest: Buffer.alloc(0) }
    if (buf.length - lf < 9) return { frames, rest: buf.subarray(lf) }
    const len = parseInt(buf.subarray(lf + 5, lf + 9).toString('latin1'), 16)
    if (Number.isNaN(len)) {
      i = lf + 1
      continue
    }
    const end = lf + 9 + len
    if (buf.length <= end) return { frames, rest: buf.length - lf > 5000 ? Buffer.alloc(0) : buf.subarray(lf) }
    if (buf[end] !== 0x0d) {
      i = lf + 1
      continue
    }
    frames.push(buf.subarray(lf, end + 1))
    i = end + 1
  }
}

export interface CentreSimOptions extends CentreOptions {
  host?: string
  /** TCP port (0: the OS chooses). */
  tcpPort?: number
  /** UDP port (0: the OS chooses); undefined: no UDP. */
  udpPort?: number
  /** Reuse a model (a receiver restarted keeps what it received). */
  model?: CentreModel
}

export interface CentreSim {
  readonly model: CentreModel
  readonly host: string
  readonly tcpPort: number
  readonly udpPort: number | undefined
  /** Frames received, raw, in order (TCP and UDP). */
  readonly frames: Buffer[]
  /** The source address of each frame, in the same order (which interface a path used). */
  readonly sources: string[]
  close(): Promise<void>
}

/** A DC-09 receiver on a TCP port and, optionally, a UDP port: one answer per frame. */
export async function startCentreSim(opts: CentreSimOptions = {}): Promise<CentreSim> {
  const host = opts.host ?? '127.0.0.1'
  const model = opts.model ?? new CentreModel(opts)
  const frames: Buffer[] = []
  const sources: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((sock) => {
    sock.setNoDelay(true)
    sockets.add(sock)
    let buf = Buffer.alloc(0)
    sock.on('data', (chunk) => {
      const cut = cutFrames(Buffer.concat([buf, chunk]))
      buf = Buffer.from(cut.rest)
      for (const f of cut.frames) {
        frames.push(Buffer.from(f))
        sources.push(sock.remoteAddress ?? '')
        const out = model.handle(Buffer.from(f))
        if (out.close) {
          sock.destroy()
          return
        }
        if (out.reply) sock.write(out.reply)
      }
    })
    sock.on('error', () => sock.destroy())
    sock.on('close', () => sockets.delete(sock))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.tcpPort ?? 0, host, () => resolve())
  })
  const tcpPort = (server.address() as { port: number }).port
  let udp: UdpSocket | undefined
  let udpPort: number | undefined
  if (opts.udpPort !== undefined) {
    const u = createSocket('udp4')
    udp = u
    u.on('message', (msg, rinfo) => {
      frames.push(Buffer.from(msg))
      sources.push(rinfo.address)
      const out = model.handle(msg)
      // UDP has no connection to close: the fault is a missing answer.
      if (out.reply && !out.close) u.send(out.reply, rinfo.port, rinfo.address)
    })
    await new Promise<void>((resolve, reject) => {
      u.once('error', reject)
      u.bind(opts.udpPort, host, () => resolve())
    })
    udpPort = u.address().port
  }
  return {
    model,
    host,
    tcpPort,
    udpPort,
    frames,
    sources,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
      if (udp) await new Promise<void>((r) => udp.close(() => r()))
    },
  }
}
