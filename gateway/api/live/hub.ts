import type { ServerResponse } from 'node:http'
import type { GatewayEvent } from '../../../base/events/event.js'
import type { Logger } from '../../../base/log.js'
import { SseClient, type Frame } from './sse-client.js'

/**
 * Bytes queued per client beyond its socket's buffer. A group commit hands over up to 2000 events
 * at once (about 1 MB) while no client can read: the bound takes such a burst, and a client that
 * lets it fill is falling behind, not just meeting a burst (at 100 events/s, about 40 s behind).
 */
export const MAX_QUEUED_BYTES = 2 * 1024 * 1024
/** Streams open at once, at most: with the bound above, what live clients can hold stays under 32 MB. */
export const MAX_LIVE_CLIENTS = 16
const CLOSE_GRACE_MS = 5000
/** A comment line now and then keeps proxies and browsers from closing an idle stream. */
const KEEPALIVE_MS = 15_000

export type LiveEventType = 'event' | 'state' | 'walktest'

export interface LiveHubOptions {
  log: Logger
  maxQueuedBytes?: number
}

/**
 * The live stream's fan-out: committed events, device state changes and walk-test progress go to
 * every connected client. Called on the commit path, so it only serializes (once, and not at all
 * without clients) and hands each client its frame; slow clients are each bounded (SseClient).
 */
export class LiveHub {
  private readonly clients = new Set<SseClient>()
  private keepalive: NodeJS.Timeout | undefined
  /** Clients cut for falling behind, since start. */
  overflowed = 0
  /** The largest peak any client had, including those gone. */
  private peakBufferedBytes = 0

  constructor(private readonly opts: LiveHubOptions) {}

  get size(): number {
    return this.clients.size
  }

  attach(res: ServerResponse): SseClient {
    const client = new SseClient(res, {
      maxQueuedBytes: this.opts.maxQueuedBytes ?? MAX_QUEUED_BYTES,
      closeGraceMs: CLOSE_GRACE_MS,
      onClose: (c) => this.detach(c),
    })
    this.clients.add(client)
    this.keepalive ??= setInterval(() => this.broadcast({ text: ': keepalive\n\n', bytes: 13 }), KEEPALIVE_MS).unref()
    return client
  }

  publish(type: LiveEventType, data: unknown): void {
    if (this.clients.size === 0) return
    const text = `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`
    this.broadcast({ text, bytes: Buffer.byteLength(text) })
  }

  /** A committed event, as the events API shows it (without its raw frame). */
  committed(ev: GatewayEvent): void {
    if (this.clients.size === 0) return
    const { raw: _raw, ...view } = ev
    this.publish('event', view)
  }

  /** A device's state as it is published on the broker. */
  stateChanged(state: { device: string; online: boolean }): void {
    this.publish('state', state)
  }

  stats(): { clients: number; overflowed: number; peakBufferedBytes: number } {
    let peak = this.peakBufferedBytes
    for (const c of this.clients) peak = Math.max(peak, c.peakBufferedBytes)
    return { clients: this.clients.size, overflowed: this.overflowed, peakBufferedBytes: peak }
  }

  /** Ends every stream: the server cannot close while they are open. */
  close(): void {
    for (const c of [...this.clients]) c.end()
  }

  private broadcast(frame: Frame): void {
    for (const c of this.clients) c.send(frame)
  }

  private detach(c: SseClient): void {
    if (!this.clients.delete(c)) return
    if (c.missed > 0) {
      this.overflowed++
      this.opts.log.warn(
        { missed: c.missed, peakBufferedBytes: c.peakBufferedBytes, clients: this.clients.size },
        'live stream client fell behind: told how many events it missed and cut',
      )
    }
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, c.peakBufferedBytes)
    if (this.clients.size === 0 && this.keepalive) {
      clearInterval(this.keepalive)
      this.keepalive = undefined
    }
  }
}
