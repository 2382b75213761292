import { randomBytes } from 'node:crypto'
import type { Logger } from '../../base/log.js'
import type { EventInput } from '../../base/events/event.js'
import type { Command } from '../../base/events/command.js'
import { SYSTEM_TIMERS } from '../../base/timers.js'
import { Transport, isTcpTransport } from '../transport/index.js'
import type { Adapter, AdapterCommandResult, AdapterContext, AdapterHealth, DeviceInfo } from '../types.js'
import { sumLinkStats } from '../transport/link-stats.js'
import { OsdpBus } from './bus.js'
import { parseCommand } from './command.js'
import * as C from './commands.js'
import type { OsdpDeviceConfig, OsdpReaderConfig } from './config.js'
import * as D from './decode.js'
import { DoorLogic, type DoorEvent } from './door.js'
import { OsdpFramer, type OsdpFramerCounters } from './framer.js'
import { KeyStore, type ReaderKeyStore } from './key-store.js'
import { adviceFor } from './faults.js'
import { PdLink, type CommandOutcome, type LinkEvent } from './pd-link.js'
import { RepeatLog } from './repeat-log.js'
import type { LocalStatus } from './replies.js'
import type { Card } from './wiegand.js'

/** One reader and its door, as the adapter tracks them. */
interface Reader {
  cfg: OsdpReaderConfig
  link: PdLink
  door: DoorLogic
  status: LocalStatus | undefined
  state: Record<string, unknown>
  /** Repeating NAKs, bad replies and secure-channel failures: logged once, then counted. */
  repeats: RepeatLog
  /** Per secure-channel failure reason: when it was last reported, and repeats since. */
  secureFailures: Map<string, { at: number; repeats: number }>
}

/** How often held-open doors are checked. */
const DOOR_CHECK_MS = 250
/** How often the line's counters are published in device state (when they changed). */
const LINE_STATE_MS = 5000
/** At most one warning per this interval about bad bytes on the line. */
const LINE_WARN_MS = 10_000

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
  private doorTimer: NodeJS.Timeout | undefined
  private lastLineWarn = 0
  private warned: OsdpFramerCounters | undefined
  private lineTimer: NodeJS.Timeout | undefined
  private lastLineState = ''
  emitErrors = 0

  constructor(
    private readonly cfg: OsdpDeviceConfig,
    private readonly ctx: AdapterContext,
  ) {
    this.log = ctx.log.child({ component: 'adapter', kind: 'osdp', device: cfg.id })
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
        cfg: r, link, door: new DoorLogic(r), status: undefined, state: { address: r.address, online: false },
        repeats: new RepeatLog(this.log.child({ door: r.door, reader: r.address }), this.ctx.now), secureFailures: new Map(),
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
      timers: { ...SYSTEM_TIMERS, now: this.ctx.now },
      write: (b) => transport.write(b),
      onEvents: (link, events) => this.onEvents(this.readers.get(link.address)!, events),
      onWindowClosed: () => framer.discardPartial(),
    })
    framer.on('data', (f) => bus.onFrame(f))
    transport.on('data', (chunk) => {
      framer.write(chunk)
      this.warnLine(framer)
    })
    transport.on('open', () => this.ctx.setState({ online: true, transport: transport.name }))
    transport.on('close', (reason) => this.ctx.setState({ online: false, reason }))
    this.framer = framer
    this.transport = transport
    this.bus = bus
    this.ctx.setState({ online: false, reason: 'opening the port', readers: this.readerStates() })
    bus.start()
    transport.start()
    this.doorTimer = setInterval(() => this.checkDoors(), DOOR_CHECK_MS)
    this.lineTimer = setInterval(() => this.publishLine(), LINE_STATE_MS)
    this.log.info({ readers: this.cfg.readers.length, transport: transport.name }, 'osdp bus started')
  }

  async stop(): Promise<void> {
    clearInterval(this.doorTimer)
    clearInterval(this.lineTimer)
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
    for (const e of events) out.push(...this.interpret(reader, e))
    for (const ev of out) await this.emit(ev)
  }

  private interpret(reader: Reader, e: LinkEvent): EventInput[] {
    const r = reader.cfg
    const now = this.ctx.now()
    switch (e.type) {
      case 'card':
        return [this.onCard(reader, e.card, e.raw)]
      case 'keypad':
        return [D.keypadEvent(r, e.keys, e.raw)]
      case 'inputs':
        this.updateReader(reader, { inputs: e.inputs })
        return this.doorEvents(reader, reader.door.inputs(e.inputs, now))
      case 'outputs':
        this.updateReader(reader, { strike: e.outputs[r.strikeOutput] ?? false })
        return []
      case 'local-status': {
        const evs = D.localStatusEvents(r, reader.status, e.status)
        reader.status = e.status
        this.updateReader(reader, { tamper: e.status.tamper, powerLost: e.status.powerLost })
        return evs
      }
      case 'identity':
        this.updateReader(reader, { vendor: e.id.vendor, model: e.id.model, serial: e.id.serial, firmware: e.id.firmware })
        return []
      case 'capabilities':
        this.updateReader(reader, { capabilities: e.caps })
        return []
      case 'online':
        this.log.info({ door: r.door, reader: r.address, secure: e.secure }, 'reader online')
        this.updateReader(reader, { online: true, secure: e.secure })
        return [D.onlineEvent(r, true, { secure: e.secure, vendor: reader.state['vendor'], serial: reader.state['serial'], firmware: reader.state['firmware'] })]
      case 'offline':
        this.log.warn({ door: r.door, reader: r.address, reason: e.reason }, 'reader offline')
        this.updateReader(reader, { online: false, secure: false })
        return [D.onlineEvent(r, false, { reason: e.reason })]
      case 'secure-failure':
        reader.repeats.note('error', `secure:${e.reason}`, { reason: e.reason }, 'secure channel failure')
        return this.secureFailure(reader, e.reason, now)
      case 'fault': {
        const advice = adviceFor(e, { device: this.cfg.id, address: r.address, door: r.door })
        this.log.error({ door: r.door, reader: r.address, ...advice }, 'reader keeps refusing the gateway')
        this.updateReader(reader, { fault: advice })
        return [D.faultEvent(r, advice)]
      }
      case 'recovered':
        reader.repeats.end({ failures: e.failures })
        if (!e.fault) return []
        this.log.info({ door: r.door, reader: r.address, failures: e.failures }, 'reader fault cleared')
        this.updateReader(reader, { fault: null })
        return [D.faultRestoreEvent(r, e.failures)]
      case 'keyset':
        this.log.info({ door: r.door, reader: r.address }, 'reader given its own secure channel key')
        return []
      case 'nak':
        reader.repeats.note('warn', `nak:${e.command}:${e.nak.code}`, { command: e.command, nak: e.nak.code, reason: e.nak.reason }, 'reader refused a command')
        return []
      case 'bad-reply':
        reader.repeats.note('warn', `bad:${e.reason}`, { reason: e.reason }, 'bad reply dropped')
        return []
    }
  }

  /** Each reason reported once per `SECURE_FAILURE_REPEAT_MS`, with the repeats in between counted. */
  private secureFailure(reader: Reader, reason: string, now: number): EventInput[] {
    const seen = reader.secureFailures.get(reason)
    this.updateReader(reader, { secureFailures: ((reader.state['secureFailures'] as number | undefined) ?? 0) + 1 })
    if (seen && now - seen.at < D.SECURE_FAILURE_REPEAT_MS) {
      seen.repeats++
      return []
    }
    reader.secureFailures.set(reason, { at: now, repeats: 0 })
    return [D.secureFailureEvent(reader.cfg, reason, seen?.repeats ?? 0)]
  }

  private onCard(reader: Reader, card: Card, raw: Buffer): EventInput {
    const r = reader.cfg
    const decision = D.decideCard(r.localDecisions === false ? undefined : this.cfg.allowList, card, r.door)
    if (decision.kind === 'grant') {
      // Queued now, sent the moment this reply's events are committed (the link is held till then).
      void this.pulseStrike(reader, r.strikePulseMs)
      void this.send(reader, C.led([{ reader: 0, led: 0, temporary: { onColor: C.COLOR.GREEN, offColor: C.COLOR.BLACK, on100ms: 10, off100ms: 0, timer100ms: Math.ceil(r.strikePulseMs / 100) } }]))
    } else if (decision.kind === 'deny') {
      void this.send(reader, C.led([{ reader: 0, led: 0, temporary: { onColor: C.COLOR.RED, offColor: C.COLOR.BLACK, on100ms: 10, off100ms: 0, timer100ms: 20 } }]))
      void this.send(reader, C.buz({ reader: 0, tone: 2, on100ms: 2, off100ms: 2, count: 2 }))
    }
    return D.cardEvent(r, card, decision, raw)
  }

  private doorEvents(reader: Reader, evs: DoorEvent[]): EventInput[] {
    if (reader.door.open !== undefined) this.updateReader(reader, { doorOpen: reader.door.open })
    return evs.map((e) => D.doorEvent(reader.cfg, e))
  }

  private checkDoors(): void {
    const now = this.ctx.now()
    for (const reader of this.readers.values()) {
      if (now < reader.door.nextCheckAt()) continue
      for (const ev of this.doorEvents(reader, reader.door.tick(now))) void this.emit(ev)
    }
  }

  private async emit(ev: EventInput): Promise<void> {
    try {
      await this.ctx.emit(ev)
    } catch (err) {
      this.emitErrors++
      this.log.error({ err, type: ev.type, zone: ev.zone }, 'event not committed')
    }
  }

  /**
   * The bus as one device: online while any reader answers; the line's frames, bad CRCs and
   * dropped bytes with the readers' retries and timeouts; the identity (osdp_PDID) of the first
   * reader that reported one, and whether every reader online uses the secure channel.
   */
  health(): AdapterHealth {
    const readers = [...this.readers.values()]
    const online = readers.filter((r) => r.state['online'] === true)
    const heard = readers.map((r) => r.link.heardAt).filter((t): t is number => t !== undefined)
    const f = this.framer?.counters
    const link = sumLinkStats(readers.map((r) => ({ frames: 0, retries: r.link.counters.retries, crcErrors: 0, timeouts: r.link.counters.timeouts, droppedBytes: 0 })))
    link.frames = f?.frames ?? 0
    link.crcErrors = f?.badFrames ?? 0
    link.droppedBytes = f?.droppedBytes ?? 0
    return {
      online: online.length > 0,
      ...(heard.length > 0 ? { lastSeenAt: Math.max(...heard) } : {}),
      link,
      info: readerInfo(readers.map((r) => r.state), online.length > 0 ? online.every((r) => r.state['secure'] === true) : undefined),
      supervision: { windowMs: this.cfg.offlineAfterMs },
    }
  }

  private updateReader(reader: Reader, patch: Record<string, unknown>): void {
    Object.assign(reader.state, patch)
    this.ctx.setState({ readers: this.readerStates() })
  }

  private readerStates(): Record<string, unknown> {
    return Object.fromEntries([...this.byDoor].map(([door, r]) => [door, { ...r.state, link: { ...r.link.counters } }]))
  }

  /** Every drop on the line, visible in device state (and so in the health API). */
  private publishLine(): void {
    if (!this.framer || !this.bus) return
    const line = { ...this.framer.counters, ...this.bus.counters, emitErrors: this.emitErrors }
    const key = JSON.stringify(line)
    if (key === this.lastLineState) return
    this.lastLineState = key
    this.ctx.setState({ line })
  }

  /** Bad bytes on the line: counted always, warned about at most once per interval. */
  private warnLine(framer: OsdpFramer): void {
    const c = framer.counters
    const w = this.warned
    if (w && c.badFrames === w.badFrames && c.droppedRuns === w.droppedRuns) return
    if (!w && c.badFrames === 0 && c.droppedRuns === 0) return
    const now = this.ctx.now()
    if (now - this.lastLineWarn < LINE_WARN_MS) return
    this.lastLineWarn = now
    this.warned = { ...c }
    this.log.warn({ ...c, last: framer.lastError }, 'bad bytes on the OSDP line')
  }
}

/** The identity of the first reader that reported one (osdp_PDID), and tamper if any reader reports it. */
function readerInfo(states: ReadonlyArray<Record<string, unknown>>, secureChannel: boolean | undefined): DeviceInfo {
  const info: DeviceInfo = {}
  const id = states.find((s) => s['serial'] !== undefined || s['firmware'] !== undefined)
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)
  const put = <K extends 'firmware' | 'serial' | 'model' | 'vendor'>(k: K, v: string | undefined): void => {
    if (v !== undefined) info[k] = v
  }
  put('firmware', str(id?.['firmware']))
  put('serial', str(id?.['serial']))
  put('model', str(id?.['model']))
  put('vendor', str(id?.['vendor']))
  if (secureChannel !== undefined) info.secureChannel = secureChannel
  if (states.some((s) => typeof s['tamper'] === 'boolean')) info.tamper = states.some((s) => s['tamper'] === true)
  return info
}
