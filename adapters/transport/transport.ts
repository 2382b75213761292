import { EventEmitter } from 'node:events'
import type { Logger } from '../../base/log.js'
import { TransportError, errorMessage } from '../../base/errors.js'
import { Backoff } from '../../base/backoff.js'
import { describeTransport, isTcpTransport, type TransportConfig } from './config.js'
import type { Link, OpenLink } from './link.js'
import { serialLinkOpener } from './serial-link.js'
import { tcpLinkOpener } from './tcp-link.js'
// The forwarder's clock-and-timers interface (a leaf module): one fake drives both in tests.
import { SYSTEM_TIMERS, type TimerHandle, type Timers } from '../../base/timers.js'

export type TransportState = 'idle' | 'opening' | 'open' | 'waiting' | 'stopped'

/** What a transport tells its adapter. `open` and `close` alternate; the first is always `open`. */
export interface TransportEvents {
  open: []
  /** The link vanished; the transport is already retrying. */
  close: [reason: string]
  data: [chunk: Buffer]
}

export interface TransportOptions {
  log: Logger
  /** For deterministic backoff in tests. */
  random?: () => number
  /** Replaces the opener chosen from the config (a test harness's own link). */
  open?: OpenLink
  /** The clock and timers reconnects wait with (and downtime is measured by); the system's by default. */
  timers?: Timers
}

/**
 * A serial link that stays up: a local port or a device server socket behind one interface.
 * When the link vanishes it reopens with jittered, capped backoff; each state change is logged
 * once (not every failed attempt), and `open` / `close` let the adapter raise device.online/offline.
 */
export class Transport extends EventEmitter<TransportEvents> {
  /** `/dev/ttyUSB0@9600 8N1` or `tcp://host:port`, for logs and device state. */
  readonly name: string
  private readonly opener: OpenLink
  private readonly backoff: Backoff
  private readonly log: Logger
  private readonly timers: Timers
  private link: Link | undefined
  private timer: TimerHandle | undefined
  private current: TransportState = 'idle'
  private downSince = 0
  private lastReason = ''
  /** Times the link came up; the first is an open, later ones are reopens. */
  opens = 0

  constructor(config: TransportConfig, opts: TransportOptions) {
    super()
    this.name = describeTransport(config)
    this.log = opts.log.child({ transport: this.name })
    this.timers = opts.timers ?? SYSTEM_TIMERS
    this.opener = opts.open ?? (isTcpTransport(config) ? tcpLinkOpener(config, this.timers) : serialLinkOpener(config))
    this.backoff = new Backoff(config.backoff, opts.random)
  }

  get state(): TransportState {
    return this.current
  }

  get isOpen(): boolean {
    return this.current === 'open'
  }

  /** Starts opening; returns at once. Listen for `open` (or check `isOpen`). */
  start(): void {
    if (this.current !== 'idle') return
    this.downSince = this.timers.now()
    void this.attempt()
  }

  async stop(): Promise<void> {
    if (this.current === 'stopped') return
    const wasOpen = this.current === 'open'
    this.current = 'stopped'
    this.timers.clearTimeout(this.timer)
    const link = this.link
    this.link = undefined
    await link?.close()
    if (wasOpen) this.emit('close', 'stopped')
    this.log.debug('transport stopped')
  }

  /** Writes to the open link; rejects with a TransportError when there is none. */
  async write(data: Buffer): Promise<void> {
    if (!this.link || this.current !== 'open') throw new TransportError(`${this.name} is not open`)
    await this.link.write(data)
  }

  private async attempt(): Promise<void> {
    if (this.current === 'stopped') return
    this.current = 'opening'
    let link: Link
    try {
      link = await this.opener({ onData: (chunk) => this.onData(link, chunk), onClose: (reason, cause) => this.onLinkClosed(link, reason, cause) })
    } catch (err) {
      this.retryLater(errorMessage(err), false, err)
      return
    }
    if (this.stopped()) {
      await link.close()
      return
    }
    this.link = link
    this.current = 'open'
    const attempts = this.backoff.attempts
    this.backoff.reset()
    this.lastReason = ''
    if (this.opens++ === 0) this.log.info('transport open')
    else this.log.info({ downMs: this.timers.now() - this.downSince, attempts }, 'transport reopened')
    this.emit('open')
  }

  /** A method, so TypeScript does not narrow `current` across the awaits above. */
  private stopped(): boolean {
    return this.current === 'stopped'
  }

  private onData(link: Link, chunk: Buffer): void {
    if (link === this.link) this.emit('data', chunk)
  }

  private onLinkClosed(link: Link, reason: string, cause: Error | undefined): void {
    if (link !== this.link || this.current !== 'open') return
    this.link = undefined
    this.downSince = this.timers.now()
    this.log.warn({ reason, err: cause }, 'transport closed, reopening')
    this.lastReason = reason
    this.emit('close', reason)
    this.retryLater(reason, true)
  }

  private retryLater(reason: string, logged = false, err?: unknown): void {
    if (this.current === 'stopped') return
    this.current = 'waiting'
    const delayMs = this.backoff.next()
    // One warn per distinct failure, so a port missing for a day logs one line, not thousands.
    if (!logged && reason !== this.lastReason) this.log.warn({ reason, err, retryInMs: delayMs }, 'transport unavailable, retrying')
    else this.log.debug({ reason, retryInMs: delayMs }, 'transport retry')
    this.lastReason = reason
    this.timer = this.timers.setTimeout(() => void this.attempt(), delayMs)
  }
}
