import type { Logger } from '../../base/log.js'
import type { EventInput } from '../../base/events/event.js'
import * as C from './commands.js'
import type { OsdpDeviceConfig, OsdpReaderConfig } from './config.js'
import * as D from './decode.js'
import type { DoorEvent, DoorLogic } from './door.js'
import { adviceFor } from './faults.js'
import type { CommandOutcome, LinkEvent, PdLink } from './pd-link.js'
import type { RepeatLog } from './repeat-log.js'
import type { LocalStatus } from './replies.js'
import type { Card } from './wiegand.js'

/** One reader and its door, as the adapter tracks them. */
export interface Reader {
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

/** What the interpretation needs of the adapter: its config, log and clock, state updates and commands. */
export interface ReaderHost {
  cfg: OsdpDeviceConfig
  log: Logger
  now(): number
  /** Merges into the reader's retained state. */
  update(reader: Reader, patch: Record<string, unknown>): void
  pulseStrike(reader: Reader, pulseMs: number): Promise<CommandOutcome>
  send(reader: Reader, payload: C.CommandPayload): Promise<CommandOutcome>
}

/**
 * What a reader's replies mean for the site: events (cards, keypads, doors, tamper, power, the
 * reader online or faulty) and state, and the answers a card gets at the door (strike, LED, buzzer).
 */
export class ReaderEvents {
  constructor(private readonly h: ReaderHost) {}

  interpret(reader: Reader, e: LinkEvent): EventInput[] {
    const r = reader.cfg
    const now = this.h.now()
    switch (e.type) {
      case 'card':
        return [this.onCard(reader, e.card, e.raw)]
      case 'keypad':
        return [D.keypadEvent(r, e.keys, e.raw)]
      case 'inputs':
        this.h.update(reader, { inputs: e.inputs })
        return this.doorEvents(reader, reader.door.inputs(e.inputs, now))
      case 'outputs':
        this.h.update(reader, { strike: e.outputs[r.strikeOutput] ?? false })
        return []
      case 'local-status': {
        const evs = D.localStatusEvents(r, reader.status, e.status)
        reader.status = e.status
        this.h.update(reader, { tamper: e.status.tamper, powerLost: e.status.powerLost })
        return evs
      }
      case 'identity':
        this.h.update(reader, { vendor: e.id.vendor, model: e.id.model, serial: e.id.serial, firmware: e.id.firmware })
        return []
      case 'capabilities':
        this.h.update(reader, { capabilities: e.caps })
        return []
      case 'online':
        this.h.log.info({ door: r.door, reader: r.address, secure: e.secure }, 'reader online')
        this.h.update(reader, { online: true, secure: e.secure })
        return [
          D.onlineEvent(r, true, { secure: e.secure, vendor: reader.state['vendor'], serial: reader.state['serial'], firmware: reader.state['firmware'] }),
        ]
      case 'offline':
        this.h.log.warn({ door: r.door, reader: r.address, reason: e.reason }, 'reader offline')
        this.h.update(reader, { online: false, secure: false })
        return [D.onlineEvent(r, false, { reason: e.reason })]
      case 'secure-failure':
        reader.repeats.note('error', `secure:${e.reason}`, { reason: e.reason }, 'secure channel failure')
        return this.secureFailure(reader, e.reason, now)
      case 'fault': {
        const advice = adviceFor(e, { device: this.h.cfg.id, address: r.address, door: r.door })
        this.h.log.error({ door: r.door, reader: r.address, ...advice }, 'reader keeps refusing the gateway')
        this.h.update(reader, { fault: advice })
        return [D.faultEvent(r, advice)]
      }
      case 'recovered':
        reader.repeats.end({ failures: e.failures })
        if (!e.fault) return []
        this.h.log.info({ door: r.door, reader: r.address, failures: e.failures }, 'reader fault cleared')
        this.h.update(reader, { fault: null })
        return [D.faultRestoreEvent(r, e.failures)]
      case 'keyset':
        this.h.log.info({ door: r.door, reader: r.address }, 'reader given its own secure channel key')
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
    this.h.update(reader, { secureFailures: ((reader.state['secureFailures'] as number | undefined) ?? 0) + 1 })
    if (seen && now - seen.at < D.SECURE_FAILURE_REPEAT_MS) {
      seen.repeats++
      return []
    }
    reader.secureFailures.set(reason, { at: now, repeats: 0 })
    return [D.secureFailureEvent(reader.cfg, reason, seen?.repeats ?? 0)]
  }

  private onCard(reader: Reader, card: Card, raw: Buffer): EventInput {
    const r = reader.cfg
    const decision = D.decideCard(r.localDecisions === false ? undefined : this.h.cfg.allowList, card, r.door)
    if (decision.kind === 'grant') {
      // Queued now, sent the moment this reply's events are committed (the link is held till then).
      void this.h.pulseStrike(reader, r.strikePulseMs)
      void this.h.send(
        reader,
        C.led([
          {
            reader: 0,
            led: 0,
            temporary: { onColor: C.COLOR.GREEN, offColor: C.COLOR.BLACK, on100ms: 10, off100ms: 0, timer100ms: Math.ceil(r.strikePulseMs / 100) },
          },
        ]),
      )
    } else if (decision.kind === 'deny') {
      void this.h.send(
        reader,
        C.led([{ reader: 0, led: 0, temporary: { onColor: C.COLOR.RED, offColor: C.COLOR.BLACK, on100ms: 10, off100ms: 0, timer100ms: 20 } }]),
      )
      void this.h.send(reader, C.buz({ reader: 0, tone: 2, on100ms: 2, off100ms: 2, count: 2 }))
    }
    return D.cardEvent(r, card, decision, raw)
  }

  doorEvents(reader: Reader, evs: DoorEvent[]): EventInput[] {
    if (reader.door.open !== undefined) this.h.update(reader, { doorOpen: reader.door.open })
    return evs.map((e) => D.doorEvent(reader.cfg, e))
  }
}
