import { encodeFrame, type DecodedFrame, type Frame } from '../../adapters/osdp/codec.js'
import { CMD } from '../../adapters/osdp/commands.js'
import type { SecureSession } from '../../adapters/osdp/secure-session.js'
import { packCard, type SimCardFormat } from './cards.js'
import { applyLed, applyOut, ledColorAt, type LedState } from './pd-outputs.js'
import { DEFAULT_SERIAL, pdCapabilities, pdIdentity } from './pd-identity.js'
import { answerChallenge, answerCrypt, type PendingKeys } from './pd-secure.js'
import { PdStatus } from './pd-status.js'
import * as P from './replies.js'

export interface SimPdOptions {
  address: number
  /** This reader talks only inside a secure channel. */
  requireSecure?: boolean
  /** The reader's own key; undefined = factory state (install mode: SCBK-D only). */
  scbk?: Buffer
  inputs?: number
  outputs?: number
  serial?: number
  randomBytes(n: number): Buffer
}

/** What a test or the CLI can see of a simulated reader. */
export interface PdCounters {
  commands: number
  repeats: number
  /** Application commands that reached a secure-only reader in the clear: must stay 0. */
  clearCommands: number
  macFailures: number
  keysets: number
  pulses: number
  /** NAKs sent, by code (hex, e.g. "06"). */
  naks: Record<string, number>
}

/**
 * One OSDP peripheral: sequence numbers with a cached last reply [§5.9], the secure channel
 * [Annex D], outputs with pulse timers, LEDs and buzzer that follow commands, inputs, tamper and
 * power reported on the next POLL after they change, card and keypad reads queued for POLL.
 * Pure: the clock comes in with each packet.
 */
export class SimPd {
  readonly counters: PdCounters = { commands: 0, repeats: 0, clearCommands: 0, macFailures: 0, keysets: 0, pulses: 0, naks: {} }
  scbk: Buffer | undefined
  inputs: boolean[]
  /** Output i is on until outputUntil[i] (Infinity = permanently on, 0 = off). */
  readonly outputUntil: number[]
  readonly leds = new Map<number, LedState>()
  buzzer: { tone: number; count: number; at: number } | undefined
  tamper = false
  powerLost = false
  /** Replies to give instead of processing: BUSY n times, then a NAK code. */
  busyCount = 0
  nakNext: number | undefined
  /**
   * The reader's application refuses to drive its outputs (a relay fault, outputs disabled in its
   * setup): libosdp then answers osdp_OUT with NAK 0x09, "unable to process command record".
   */
  refuseOutputs = false
  /** Silent (a cut cable, a powered-off reader) until this time. */
  silentUntil = 0
  /** Damage the MAC of the next secure reply (a forged or corrupted packet). */
  corruptNextMac = false
  /** Damage every MAC (a reader whose secure channel is broken): each session fails at once. */
  corruptEveryMac = false
  /** Talk only inside a secure channel (libosdp's ENFORCE_SECURE); starts as configured. */
  requireSecure: boolean
  /** KEYSET just replaced the key: the session ends once its ACK is out. */
  private scbkChanged = false
  private lastSqn = -1
  private lastReply: Buffer | undefined
  private session: SecureSession | undefined
  private pendingKeys: PendingKeys | undefined
  private readonly pending: P.ReplyPayload[] = []
  private readonly status: PdStatus

  constructor(readonly opts: SimPdOptions) {
    this.scbk = opts.scbk
    this.requireSecure = opts.requireSecure ?? false
    this.inputs = new Array<boolean>(opts.inputs ?? 2).fill(false)
    this.outputUntil = new Array<number>(opts.outputs ?? 2).fill(0)
    this.status = new PdStatus(this)
  }

  /** Back to factory state (install mode: SCBK-D only), as a reset or a replacement reader is. */
  factoryReset(): void {
    this.scbk = undefined
    this.restart()
  }

  /** A power cycle: volatile state (sequence, session, queued reads) is lost; the key is kept. */
  restart(): void {
    this.lastSqn = -1
    this.lastReply = undefined
    this.session = undefined
    this.pendingKeys = undefined
    this.pending.length = 0
    this.outputUntil.fill(0)
  }

  outputOn(i: number, now: number): boolean {
    return (this.outputUntil[i] ?? 0) > now
  }

  swipe(format: SimCardFormat, facility: number, card: number, reader = 0): void {
    const packed = packCard(format, facility, card)
    this.pending.push(P.raw(reader, packed.bits, packed.data))
  }

  keys(keys: string, reader = 0): void {
    this.pending.push(P.keypad(reader, keys))
  }

  /** Handles one packet addressed to this PD; returns the reply bytes, or undefined for silence. */
  handle(f: DecodedFrame, now: number): Buffer | undefined {
    if (now < this.silentUntil) return undefined
    this.counters.commands++
    if (this.busyCount > 0) {
      // Busy is decided before the MAC is checked, so the chain is untouched and the CP's resend fits.
      this.busyCount--
      return this.frame(f, P.BUSY, false)
    }
    if (f.sqn !== 0 && f.sqn === this.lastSqn && this.lastReply) {
      this.counters.repeats++
      return this.lastReply
    }
    const expected = this.lastSqn < 0 ? -1 : this.lastSqn === 3 ? 1 : this.lastSqn + 1
    if (f.sqn !== 0 && f.sqn !== expected) return this.remember(f, this.frame(f, P.nak(0x04), false))
    if (f.sqn === 0 && f.code !== CMD.CHLNG) this.session = undefined
    if (this.nakNext !== undefined) {
      const code = this.nakNext
      this.nakNext = undefined
      return this.remember(f, this.frame(f, P.nak(code), this.session !== undefined))
    }
    const reply = this.dispatch(f, now)
    return this.remember(f, reply)
  }

  private remember(f: DecodedFrame, bytes: Buffer): Buffer {
    this.lastSqn = f.sqn
    this.lastReply = bytes
    return bytes
  }

  private dispatch(f: DecodedFrame, now: number): Buffer {
    if (f.code === CMD.CHLNG) return this.chlng(f)
    if (f.code === CMD.SCRYPT) return this.scrypt(f)
    let data = f.data
    // As libosdp answers [Annex D.6]: every failed security condition is NAK 0x06.
    if (f.scb) {
      // A secure packet with no session here (we restarted, or dropped it after KEYSET).
      if (!this.session) return this.frame(f, P.nak(0x06), false)
      const opened = this.session.open(f)
      if (!opened.ok) {
        // A bad MAC ends the session; the CP must start over.
        this.counters.macFailures++
        this.session = undefined
        return this.frame(f, P.nak(0x06), false)
      }
      data = opened.data
    } else if (this.session) {
      return this.frame(f, P.nak(0x06), false)
    } else if (this.requireSecure) {
      this.counters.clearCommands++
      // libosdp's ENFORCE_SECURE: ID and CAP are answered in the clear, nothing else.
      if (f.code !== CMD.ID && f.code !== CMD.CAP) return this.frame(f, P.nak(0x06), false)
    }
    const reply = this.frame(f, this.command(f.code, data, now), this.session !== undefined)
    // libosdp takes a new key after its ACK is sent and drops the session: the CP must set up a
    // new one under the new key.
    if (f.code === CMD.KEYSET && this.scbkChanged) {
      this.scbkChanged = false
      this.session = undefined
    }
    return reply
  }

  private command(code: number, data: Buffer, now: number): P.ReplyPayload {
    switch (code) {
      case CMD.POLL:
        return this.poll(now)
      case CMD.ID:
        return pdIdentity(this.opts.serial)
      case CMD.CAP:
        return pdCapabilities(this.inputs.length, this.outputUntil.length)
      case CMD.LSTAT:
        return this.status.lstatr()
      case CMD.ISTAT:
        return this.status.istatr()
      case CMD.OSTAT:
        return this.status.ostatr(now)
      case CMD.OUT:
        return this.out(data, now)
      case CMD.LED:
        return applyLed(this.leds, data, now)
      case CMD.BUZ:
        if (data.length < 5) return P.nak(0x02)
        this.buzzer = { tone: data[1]!, count: data[4]!, at: now }
        return P.ACK
      case CMD.KEYSET:
        // [§6.20] type 1 (SCBK), length 16; only inside a secure channel.
        if (!this.session || data.length !== 18 || data[0] !== 1 || data[1] !== 16) return P.nak(0x06)
        this.scbk = Buffer.from(data.subarray(2))
        this.scbkChanged = true
        this.counters.keysets++
        return P.ACK
      default:
        return P.nak(0x03)
    }
  }

  /** A POLL returns one queued read or status change, else ACK [§6.1]. */
  private poll(now: number): P.ReplyPayload {
    return this.pending.shift() ?? this.status.changed(now) ?? P.ACK
  }

  /** The LED colour showing now. */
  ledColor(led: number, now: number): number {
    return ledColorAt(this.leds.get(led), now)
  }

  private out(data: Buffer, now: number): P.ReplyPayload {
    const r = applyOut(this.outputUntil, data, now, this.refuseOutputs)
    this.counters.pulses += r.pulses
    return r.reply
  }

  /** osdp_CHLNG: the first step of a secure channel [Annex D.3]. */
  private chlng(f: DecodedFrame): Buffer {
    const r = answerChallenge(f, this.scbk, this.opts.randomBytes, this.opts.serial ?? DEFAULT_SERIAL)
    if (!r) return this.frame(f, P.nak(0x06), false)
    this.session = undefined
    this.pendingKeys = r.pending
    return this.encode({ ...this.replyTo(f), ...r.reply })
  }

  /** osdp_SCRYPT: the CP proved it holds the key; the session starts. */
  private scrypt(f: DecodedFrame): Buffer {
    const r = answerCrypt(this.pendingKeys, f)
    this.pendingKeys = undefined
    if (!r) return this.frame(f, P.nak(0x06), false)
    this.session = r.session
    return this.encode({ ...this.replyTo(f), ...r.reply })
  }

  private replyTo(f: DecodedFrame): Pick<Frame, 'addr' | 'reply' | 'sqn' | 'useCrc'> {
    return { addr: this.opts.address, reply: true, sqn: f.sqn, useCrc: f.useCrc }
  }

  private frame(f: DecodedFrame, p: P.ReplyPayload, secure: boolean): Buffer {
    const plain = { ...this.replyTo(f), code: p.code, data: p.data }
    if (p.code === P.R.NAK) {
      const code = p.data[0]!.toString(16).padStart(2, '0')
      this.counters.naks[code] = (this.counters.naks[code] ?? 0) + 1
    }
    const out: Frame = secure && this.session ? this.session.seal(plain) : plain
    if (out.mac && (this.corruptNextMac || this.corruptEveryMac)) {
      this.corruptNextMac = false
      out.mac = Buffer.from(out.mac.map((b) => b ^ 0x5a))
    }
    return this.encode(out)
  }

  private encode(f: Frame): Buffer {
    return encodeFrame(f, { mark: true })
  }
}
