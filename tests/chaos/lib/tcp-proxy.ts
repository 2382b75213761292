import net from 'node:net'
import { once } from 'node:events'

/** What the link does to the bytes it carries right now. */
export type LinkMode =
  /** Forwards everything. */
  | { kind: 'pass'; delayMs?: number; jitterMs?: number }
  /** Both sockets stay open and nothing gets through: a NAT that lost its mapping, a dead radio. */
  | { kind: 'stall' }
  /** Each connection is reset after this many more bytes (either way); a new one gets as many. */
  | { kind: 'reset-after'; bytes: number }

interface Pair {
  a: net.Socket
  b: net.Socket
  /** Bytes it may still carry before it is reset. */
  budget: number
}

/**
 * A TCP proxy between the gateway and the platform that can stall (half-open: both ends think
 * the link is up), delay and jitter, cut, or reset after N bytes. Connections are accepted in every
 * mode, as a NAT or a radio link accepts them.
 */
export class FaultyLink {
  private mode: LinkMode = { kind: 'pass' }
  private readonly pairs = new Set<Pair>()
  /** Per receiving socket, the chunks waiting for their time, in order: jitter never reorders a stream. */
  private readonly queues = new WeakMap<net.Socket, Array<{ at: number; data: Buffer }>>()
  /** Bytes dropped while stalled, and connections cut. */
  readonly stats = { dropped: 0, cuts: 0, connections: 0 }

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  static async open(targetPort: number, random: () => number): Promise<FaultyLink> {
    const server = net.createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const link = new FaultyLink(server, { host: '127.0.0.1', port: targetPort }, (server.address() as net.AddressInfo).port)
    server.on('connection', (a) => link.accept(a, random))
    return link
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`
  }

  set(mode: LinkMode): void {
    this.mode = mode
    for (const p of this.pairs) p.budget = this.budgetOf(mode)
  }

  private budgetOf(mode: LinkMode): number {
    return mode.kind === 'reset-after' ? mode.bytes : Infinity
  }

  /** Resets every connection now (a cable pulled, a router rebooting). */
  cut(): void {
    for (const p of this.pairs) {
      p.a.resetAndDestroy()
      p.b.resetAndDestroy()
    }
    this.stats.cuts++
  }

  private accept(a: net.Socket, random: () => number): void {
    this.stats.connections++
    a.setNoDelay(true)
    const b = net.connect(this.target)
    b.setNoDelay(true)
    const pair: Pair = { a, b, budget: this.budgetOf(this.mode) }
    this.pairs.add(pair)
    const close = (): void => {
      this.pairs.delete(pair)
      a.destroy()
      b.destroy()
    }
    for (const s of [a, b]) {
      s.on('error', close)
      s.on('close', close)
    }
    a.on('data', (d: Buffer) => this.carry(d, b, pair, random))
    b.on('data', (d: Buffer) => this.carry(d, a, pair, random))
  }

  private carry(d: Buffer, to: net.Socket, pair: Pair, random: () => number): void {
    const m = this.mode
    if (m.kind === 'stall') {
      this.stats.dropped += d.length
      return
    }
    if (m.kind === 'reset-after') {
      pair.budget -= d.length
      if (pair.budget < 0) {
        this.stats.cuts++
        pair.a.resetAndDestroy()
        pair.b.resetAndDestroy()
        return
      }
    }
    const delay = m.kind === 'pass' ? (m.delayMs ?? 0) + Math.floor(random() * (m.jitterMs ?? 0)) : 0
    let q = this.queues.get(to)
    if (!q) this.queues.set(to, (q = []))
    // A chunk leaves no earlier than the one before it: the link is a pipe, jitter stretches it.
    const at = Math.max(Date.now() + delay, q.at(-1)?.at ?? 0)
    q.push({ at, data: d })
    if (q.length === 1) this.drain(to, q)
  }

  /** Writes the chunks whose time has come, in order, and waits for the next. */
  private drain(to: net.Socket, q: Array<{ at: number; data: Buffer }>): void {
    const now = Date.now()
    while (q.length > 0 && q[0]!.at <= now) {
      const { data } = q.shift()!
      if (!to.destroyed) to.write(data)
    }
    if (q.length > 0) setTimeout(() => this.drain(to, q), q[0]!.at - now)
  }

  async close(): Promise<void> {
    for (const p of this.pairs) {
      p.a.destroy()
      p.b.destroy()
    }
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}
