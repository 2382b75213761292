import { randomBytes } from 'node:crypto'
import type { Logger } from '../../base/log.js'
import type { EventInput } from '../../base/events/event.js'
import type { Command } from '../../base/events/command.js'
import { EventSink } from '../event-sink.js'
import { adapterTimers, every } from '../timers.js'
import { Transport, isTcpTransport } from '../transport/index.js'
import type { Adapter, AdapterCommandResult, AdapterContext, AdapterHealth } from '../types.js'
import { OsdpBus } from './bus.js'
import { parseCommand } from './command.js'
import * as C from './commands.js'
import type { OsdpDeviceConfig } from './config.js'
import * as D from './decode.js'
import { DoorLogic } from './door.js'
import { OsdpFramer } from './framer.js'
import { KeyStore, type ReaderKeyStore } from './key-store.js'
import { LINE_STATE_MS, LineWatch, busHealth } from './line-watch.js'
import { PdLink, type CommandOutcome, type LinkEvent } from './pd-link.js'
import { ReaderEvents, type Reader } from './reader-events.js'
import { RepeatLog } from './repeat-log.js'

/** How often held-open doors are checked. */
const DOOR_CHECK_MS = 250

/** Used when no key store is configured (no reader uses the secure channel, enforced by the config). */
const NO_KEYS: ReaderKeyStore = {
  get: () => ({}),
  setPending: () => {
    throw new Error('no keyStorePath configured')
  },
  commit: () => {
    throw new Error('no keyStorePath configured')
  },
}

/**
 * The gateway as OSDP control panel on one RS-485 bus: owns the transport, the framer, the poll
 * loop and each door's logic; turns what readers report into events and commands into OUT, LED
 * and BUZ. The protocol itself lives in the pure modules beside this one.
 */
export class OsdpAdapter implements Adapter {
  private readonly log: Logger
  private readonly readers = new Map<number, Reader>()
  private readonly byDoor = new Map<string, Reader>()
  private transport: Transport | undefined
  private framer: OsdpFramer | undefined
  private bus: OsdpBus | undefined
  /** Stops the door checks and the line's state publishing. */
  private readonly stopTicks: Array<() => void> = []
  private readonly line: LineWatch
  private readonly events: ReaderEvents
  private readonly sink: EventSink

  constructor(
    private readonly cfg: OsdpDeviceConfig,
    private readonly ctx: AdapterContext,
  ) {
    this.log = ctx.log.child({ component: 'adapter', kind: 'osdp', device: cfg.id })
    this.sink = new EventSink((e) => ctx.emit(e), this.log)
    this.line = new LineWatch(this.log, ctx.now, (s) => ctx.setState(s))
    this.events = new ReaderEvents({
      cfg,
      log: this.log,
      now: ctx.now,
      update: (reader, patch) => this.updateReader(reader, patch),
      pulseStrike: (reader, pulseMs) => this.pulseStrike(reader, pulseMs),
      send: (reader, payload) => this.send(reader, payload),
    })
  }

  async start(): Promise<void> {
    const keys = this.cfg.keyStorePath ? new KeyStore(this.cfg.keyStorePath) : NO_KEYS
    for (const r of this.cfg.readers) {
      const link = new PdLink({
        address: r.address,
        keyName: `${this.cfg.id}:${r.address}`,
        useCrc: r.useCrc,
        secure: r.secureChannel,
        installKey: Buffer.from(this.cfg.installKey, 'hex'),
        replyTimeoutMs: this.cfg.replyTimeoutMs,
        offlineAfterMs: this.cfg.offlineAfterMs,
        reconnectIntervalMs: this.cfg.reconnectIntervalMs,
        refusedRetryMaxMs: this.cfg.refusedRetryMaxMs,
        pollIntervalMs: this.cfg.pollIntervalMs,
        busyRetryMs: this.cfg.busyRetryMs,
        randomBytes,
        keys,
      })
      const reader: Reader = {
        cfg: r,
        link,
        door: new DoorLogic(r),
        status: undefined,
        state: { address: r.address, online: false },
        repeats: new RepeatLog(this.log.child({ door: r.door, reader: r.address }), this.ctx.now),
        secureFailures: new Map(),
      }
      this.readers.set(r.address, reader)
      this.byDoor.set(r.door, reader)
    }
    const framer = new OsdpFramer({ maxFrameBytes: this.cfg.maxFrameBytes })
    const transport = new Transport(this.cfg.transport, { log: this.log })
    const baud = isTcpTransport(this.cfg.transport) ? 0 : this.cfg.transport.baudRate
    const bus = new OsdpBus({
      links: [...this.readers.values()].map((r) => r.link),
      replyTimeoutMs: this.cfg.replyTimeoutMs,
      msPerByte: baud > 0 ? 10_000 / baud : 0,
      timers: adapterTimers(this.ctx),
      write: (b) => transport.write(b),
      onEvents: (link, events) => this.onEvents(this.readers.get(link.address)!, events),
      onWindowClosed: () => framer.discardPartial(),
    })
    framer.on('data', (f) => bus.onFrame(f))
    transport.on('data', (chunk) => {
      framer.write(chunk)
      this.line.warn(framer)
    })
    transport.on('open', () => this.ctx.setState({ online: true, transport: transport.name }))
    transport.on('close', (reason) => this.ctx.setState({ online: false, reason }))
    this.framer = framer
    this.transport = transport
    this.bus = bus
    this.ctx.setState({ online: false, reason: 'opening the port', readers: this.readerStates() })
    bus.start()
    transport.start()
    const timers = adapterTimers(this.ctx)
    this.stopTicks.push(every(timers, DOOR_CHECK_MS, () => this.checkDoors()))
    this.stopTicks.push(every(timers, LINE_STATE_MS, () => this.line.publish(framer, bus, this.sink.failed)))
    this.log.info({ readers: this.cfg.readers.length, transport: transport.name }, 'osdp bus started')
  }

  async stop(): Promise<void> {
    for (const stop of this.stopTicks.splice(0)) stop()
    this.bus?.stop()
    await this.transport?.stop()
    this.framer?.end()
  }

  async command(cmd: Command): Promise<AdapterCommandResult> {
    const parsed = parseCommand(cmd, [...this.byDoor.keys()])
    if (!parsed.ok) return { status: parsed.status, reason: parsed.reason }
    const reader = this.byDoor.get(parsed.door)!
    const pulseMs = parsed.action === 'unlock' ? (parsed.durationMs ?? reader.cfg.strikePulseMs) : 0
    let outcome: CommandOutcome
    if (parsed.action === 'unlock') outcome = await this.pulseStrike(reader, pulseMs)
    else if (parsed.action === 'lock') {
      // A lock withdraws the authorisation at once, whatever the reader then answers.
      reader.door.revoke()
      outcome = await this.send(reader, C.out([{ output: reader.cfg.strikeOutput, code: C.OUT_CODE.PERMANENT_OFF_ABORT_TIMED, timer100ms: 0 }]))
    } else outcome = await this.send(reader, parsed.payload)
    if (outcome.status === 'ok' && parsed.action === 'unlock') await this.emit(D.unlockEvent(reader.cfg, pulseMs, cmd.issuedBy ?? 'platform'))
    const result: AdapterCommandResult = { status: outcome.status }
    if (outcome.reason !== undefined) result.reason = outcome.reason
    return result
  }

  /**
   * Pulses the strike; the door counts as authorised only once the reader acknowledged the OUT.
   * A refusal (NAK) or a reader gone offline ends any window still open: the strike never moved.
   */
  private async pulseStrike(reader: Reader, pulseMs: number): Promise<CommandOutcome> {
    const outcome = await this.send(reader, C.pulse(reader.cfg.strikeOutput, pulseMs))
    if (outcome.status === 'ok') reader.door.grant(this.ctx.now(), pulseMs)
    else reader.door.revoke()
    return outcome
  }

  private send(reader: Reader, payload: C.CommandPayload): Promise<CommandOutcome> {
    const p = reader.link.enqueue(payload)
    this.bus?.kick()
    return p
  }

  /** Everything one reply meant; the link's next command waits for this to resolve. */
  private async onEvents(reader: Reader, events: LinkEvent[]): Promise<void> {
    const out: EventInput[] = []
    for (const e of events) out.push(...this.events.interpret(reader, e))
    for (const ev of out) await this.emit(ev)
  }

  private checkDoors(): void {
    const now = this.ctx.now()
    for (const reader of this.readers.values()) {
      if (now < reader.door.nextCheckAt()) continue
      for (const ev of this.events.doorEvents(reader, reader.door.tick(now))) void this.emit(ev)
    }
  }

  private async emit(ev: EventInput): Promise<void> {
    await this.sink.emit(ev)
  }

  private updateReader(reader: Reader, patch: Record<string, unknown>): void {
    Object.assign(reader.state, patch)
    this.ctx.setState({ readers: this.readerStates() })
  }

  private readerStates(): Record<string, unknown> {
    return Object.fromEntries([...this.byDoor].map(([door, r]) => [door, { ...r.state, link: { ...r.link.counters } }]))
  }

  /** The bus as one device (see `busHealth`). */
  health(): AdapterHealth {
    return busHealth([...this.readers.values()], this.framer, this.cfg.offlineAfterMs)
  }
}
