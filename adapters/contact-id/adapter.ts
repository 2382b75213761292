import type { TimerHandle, Timers } from '../../base/timers.js'
import { adapterTimers } from '../timers.js'
import type { Adapter, AdapterContext, AdapterHealth } from '../types.js'
import { Transport, type TransportOptions } from '../transport/transport.js'
import type { FramerDrop, FramerItem } from '../transport/framer.js'
import { ACK, NAK, printable } from './codec.js'
import { DEFAULT_SUPERVISION_MS, type ContactIdDeviceConfig } from './config.js'
import { createDecoder, decodeEvent, type Decoder } from './decode.js'
import { ContactIdFramer, type ContactIdFrame } from './framer.js'

const ACK_BYTE = Buffer.from([ACK])
const NAK_BYTE = Buffer.from([NAK])
/** Counters reach the retained state at most this often (noise can make them change per byte). */
const STATS_EVERY_MS = 5000
/** A noisy line drops bytes all the time: one warning per interval, the rest at debug. */
const DROP_WARN_EVERY_MS = 5000
/** How long stop() waits for a message whose commit is still pending. */
const STOP_WAIT_MS = 5000

/** What the adapter counted, in the device's retained state. */
export interface ContactIdCounters {
  events: number
  duplicates: number
  heartbeats: number
  unknown: number
  naks: number
  notCommitted: number
  droppedBytes: number
  overflows: number
}

/**
 * A receiver's automation port: frames from the transport, one message at a time, each answered
 * with ACK only after its event is committed (`emit()` resolved), NAK when garbled. Heartbeats and
 * the port itself supervise the link.
 */
export class ContactIdAdapter implements Adapter {
  private transport: Transport | undefined
  private framer: ContactIdFramer | undefined
  private readonly decoder: Decoder
  private readonly supervisionMs: number
  /** Messages are handled strictly in order: the receiver sends the next only after our ACK. */
  private chain: Promise<void> = Promise.resolve()
  private silence: TimerHandle | undefined
  private readonly timers: Timers
  /** undefined until we know; device.online / device.offline are raised on changes only. */
  private online: boolean | undefined
  /** When the receiver last sent a message we could read (an event or a heartbeat). */
  private lastSeenAt: number | undefined
  private statsAt = 0
  private dropWarnAt = -Infinity
  private stopped = false
  /** Answers (ACK or NAK) written so far; each message notes the count it arrived at. */
  private answers = 0
  /** The event answered last, if its answer was an ACK: its text and the number of that ACK. */
  private lastAcked: { text: string; answer: number } | undefined
  readonly counters: ContactIdCounters = { events: 0, duplicates: 0, heartbeats: 0, unknown: 0, naks: 0, notCommitted: 0, droppedBytes: 0, overflows: 0 }

  constructor(
    private readonly cfg: ContactIdDeviceConfig,
    private readonly ctx: AdapterContext,
    private readonly transportOptions: Partial<TransportOptions> = {},
  ) {
    this.decoder = createDecoder(cfg)
    this.supervisionMs = cfg.supervisionMs ?? DEFAULT_SUPERVISION_MS
    this.timers = adapterTimers(ctx)
  }

  async start(): Promise<void> {
    const framer = new ContactIdFramer({ lineDigits: this.cfg.lineDigits, maxBufferBytes: this.cfg.maxFrameBytes })
    const transport = new Transport(this.cfg.transport, { log: this.ctx.log, ...this.transportOptions })
    this.framer = framer
    this.transport = transport
    framer.on('data', (item: FramerItem<ContactIdFrame>) => {
      const answersBefore = this.answers
      this.ctx.log.debug({ raw: item.ok ? item.frame.text : printable(item.raw), answersBefore }, 'message received')
      this.chain = this.chain.then(() => this.handle(item, answersBefore))
    })
    framer.on('drop', (d: FramerDrop) => {
      const now = this.ctx.now()
      const warn = now - this.dropWarnAt >= DROP_WARN_EVERY_MS
      if (warn) this.dropWarnAt = now
      this.ctx.log[warn ? 'warn' : 'debug']({ bytes: d.bytes, reason: d.reason, droppedBytes: framer.stats.droppedBytes }, 'bytes dropped')
      this.syncCounters()
    })
    transport.on('data', (chunk) => framer.write(chunk))
    transport.on('open', () => framer.reset())
    transport.on('close', (reason) => {
      if (!this.stopped) this.setOnline(false, reason)
    })
    this.armSupervision()
    transport.start()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.timers.clearTimeout(this.silence)
    await this.transport?.stop()
    // A commit still pending is not answered anyway (the port is closed); do not hang on it.
    let timer: TimerHandle | undefined
    await Promise.race([this.chain, new Promise<void>((r) => (timer = this.timers.setTimeout(r, STOP_WAIT_MS)))])
    this.timers.clearTimeout(timer)
    this.framer?.destroy()
  }

  private async handle(item: FramerItem<ContactIdFrame>, answersBefore: number): Promise<void> {
    if (this.stopped) return
    const acked = this.lastAcked
    this.lastAcked = undefined
    if (!item.ok) {
      this.counters.naks++
      this.ctx.log.warn({ reason: item.reason, raw: printable(item.raw) }, 'garbled message, NAK')
      this.syncCounters()
      return this.reply(NAK_BYTE)
    }
    const { message, text } = item.frame
    this.heard()
    if (acked && answersBefore < acked.answer && (message.kind === 'heartbeat' || text === acked.text)) {
      // Sent before our ACK was written: while a commit outlasted the receiver's 4 s wait, it
      // sent the message again (or, having given up, a heartbeat). It takes our one ACK as the
      // answer to the last thing it sent; a second ACK would answer its *next* message, which
      // would then be dropped unheard if it arrived garbled. [MLR2E §9.2: one message at a time]
      this.counters[message.kind === 'heartbeat' ? 'heartbeats' : 'duplicates']++
      this.lastAcked = acked
      this.ctx.log.debug({ raw: text }, 'sent before our ACK, already answered')
      return
    }
    switch (message.kind) {
      case 'heartbeat':
        this.counters.heartbeats++
        this.ctx.log.debug({ receiver: message.receiver }, 'heartbeat')
        return this.reply(ACK_BYTE)
      case 'unknown':
        // [MLR2 automation] every message needs an answer or the receiver stalls on it; a format
        // we do not decode is acknowledged and logged so an installer can act on it.
        this.counters.unknown++
        this.ctx.log.warn({ protocol: message.protocol, raw: text }, 'message in a protocol not decoded, acknowledged')
        this.syncCounters()
        return this.reply(ACK_BYTE)
      case 'event':
      case 'panel-line': {
        const via = message.kind === 'event' ? { receiver: message.receiver, line: message.line } : {}
        const input = decodeEvent(message.event, via, text, this.decoder)
        try {
          const r = await this.ctx.emit(input)
          if (r.duplicate) {
            this.counters.duplicates++
            this.ctx.log.info({ raw: text, id: r.id }, 'repeated message already committed, acknowledged again')
          } else {
            this.counters.events++
            this.ctx.log.debug({ raw: text, id: r.id, type: input.type }, 'event committed')
          }
        } catch (err) {
          // No ACK: the receiver repeats the message in 4 s, by which time the journal may take it.
          this.counters.notCommitted++
          this.ctx.log.warn({ raw: text, err }, 'event not committed, not acknowledged')
          return
        }
        await this.reply(ACK_BYTE)
        this.lastAcked = { text, answer: this.answers }
        return
      }
    }
  }

  private async reply(byte: Buffer): Promise<void> {
    this.answers++
    try {
      await this.transport?.write(byte)
    } catch (err) {
      // The port went away between the message and the answer: the receiver will repeat it.
      this.ctx.log.debug({ err }, 'answer not sent')
    }
  }

  /**
   * The receiver's link: frames read, messages it sent again (retries), garbled messages we NAKed
   * (checksum or syntax: crcErrors), bytes of noise dropped. No request of ours can time out: the
   * receiver talks, we answer, and silence is supervision's business.
   */
  health(): AdapterHealth {
    const f = this.framer?.stats
    return {
      online: this.online === true,
      ...(this.lastSeenAt !== undefined ? { lastSeenAt: this.lastSeenAt } : {}),
      link: { frames: f?.frames ?? 0, retries: this.counters.duplicates, crcErrors: f?.badFrames ?? 0, timeouts: 0, droppedBytes: f?.droppedBytes ?? 0 },
      info: {},
      supervision: { windowMs: this.supervisionMs },
    }
  }

  private heard(): void {
    this.lastSeenAt = this.ctx.now()
    this.armSupervision()
    this.setOnline(true)
  }

  private armSupervision(): void {
    this.timers.clearTimeout(this.silence)
    if (this.stopped) return
    this.silence = this.timers.setTimeout(() => this.setOnline(false, `no heartbeat for ${Math.round(this.supervisionMs / 1000)} s`), this.supervisionMs)
  }

  private setOnline(online: boolean, reason?: string): void {
    if (this.online === online) return
    this.online = online
    if (online) this.ctx.log.info('receiver online')
    else this.ctx.log.warn({ reason }, 'receiver offline')
    const type = online ? 'device.online' : 'device.offline'
    this.ctx.setState(online ? { online, transport: this.transport?.name } : { online, reason: reason ?? 'offline' })
    this.ctx.emit({ type, attrs: reason === undefined ? {} : { reason } }).catch((err: unknown) => {
      this.ctx.log.warn({ err, type }, 'supervision event not committed')
    })
  }

  private syncCounters(): void {
    const f = this.framer?.stats
    if (f) {
      this.counters.droppedBytes = f.droppedBytes
      this.counters.overflows = f.overflows
    }
    const now = this.ctx.now()
    if (now - this.statsAt < STATS_EVERY_MS) return
    this.statsAt = now
    this.ctx.setState({ counters: { ...this.counters } })
  }
}
