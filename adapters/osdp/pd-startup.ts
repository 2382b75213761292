import type { DecodedFrame, Frame } from './codec.js'
import * as C from './commands.js'
import type { CommandPayload } from './commands.js'
import { Handshake, KeyChoice } from './handshake.js'
import type { PdLinkOptions, Step } from './pd-link-types.js'
import { handshakeCause, type FaultCause } from './refusals.js'
import type { Nak } from './replies.js'
import type { SecureSession } from './secure-session.js'

/** A secure channel set-up packet: its security block is part of the command, not a seal. */
type HandshakeFrame = Omit<Frame, 'addr' | 'reply' | 'sqn' | 'useCrc'>

/** One step's command: a handshake packet sent as it is, or a command sealed inside any session. */
export type StepCommand = { step: Step; frame: HandshakeFrame } | { step: Step; payload: CommandPayload }

/**
 * What a step's reply meant: go on to the next step (with the session it opened, if any); the
 * reader took its new key and ended the session; or the handshake failed and the link starts over.
 */
export type StepResult = { type: 'advance'; session?: SecureSession } | { type: 'keyset' } | { type: 'failed'; cause: FaultCause; reason: string }

/** The steps that set up the secure channel: a NAK to one is a handshake failure, not a missing function. */
export function isHandshakeStep(step: string): step is 'chlng' | 'scrypt' | 'keyset' {
  return step === 'chlng' || step === 'scrypt' || step === 'keyset'
}

/**
 * The start-up sequence after every return of a reader [OSDP 2.2 §5.9]: the secure channel first
 * when configured [Annex D.3], a KEYSET when it was set up under the install key [Annex D.8], then
 * ID, CAP, LSTAT, ISTAT and OSTAT. Which command comes next and what each answer means; sequence
 * numbers, resends and supervision stay with the link.
 */
export class StartUp {
  private steps: Step[] = []
  private handshake: Handshake | undefined
  /** Which key the next handshake names, after a KEYSET whose fate is unknown. */
  private readonly keyChoice = new KeyChoice()

  constructor(private readonly opts: PdLinkOptions) {}

  /** From the first step again. */
  begin(): void {
    this.handshake = undefined
    // A reader that needs the secure channel hears nothing in the clear, not even ID [Annex D.1].
    this.steps = [...(this.opts.secure ? (['chlng', 'scrypt'] as Step[]) : []), 'id', 'cap', 'lstat', 'istat', 'ostat']
  }

  /** The current step's command. */
  command(): StepCommand {
    const step = this.steps[0]!
    switch (step) {
      case 'chlng':
        this.handshake = new Handshake(this.opts, this.keyChoice.pendingFailed)
        return { step, frame: this.handshake.chlng() }
      case 'scrypt':
        return { step, frame: this.handshake!.scrypt() }
      case 'keyset': {
        const key = this.opts.randomBytes(16)
        this.handshake!.newKey = key
        this.opts.keys.setPending(this.opts.keyName, key)
        return { step, payload: C.keyset(key) }
      }
      default:
        return { step, payload: { id: C.id, cap: C.cap, lstat: C.lstat, istat: C.istat, ostat: C.ostat }[step]() }
    }
  }

  /** The (opened) reply to `step`. */
  onReply(step: Step, f: DecodedFrame, data: Buffer): StepResult {
    if (step === 'chlng' || step === 'scrypt') {
      const hs = this.handshake!
      const r = step === 'chlng' ? hs.onCcrypt(f, data) : hs.onRmacI(f, data)
      if (!r.ok) {
        this.keyChoice.failed(hs, r.definitive)
        const cause: FaultCause = !r.definitive ? 'secure-channel' : hs.usedInstallKey ? 'install-key' : 'unknown-key'
        return { type: 'failed', cause, reason: r.reason }
      }
      if (r.session && hs.usedInstallKey) this.steps.splice(1, 0, 'keyset')
      return r.session ? { type: 'advance', session: r.session } : { type: 'advance' }
    }
    if (step === 'keyset') {
      this.opts.keys.commit(this.opts.keyName, this.handshake!.newKey!)
      // The reader takes the new key once its ACK is out and ends the session [Annex D.8; libosdp
      // does so]: set up a new one under the new key (kk = 1) before anything else is sent.
      this.handshake = undefined
      this.steps.splice(0, 1, 'chlng', 'scrypt')
      return { type: 'keyset' }
    }
    return { type: 'advance' }
  }

  /** A handshake step was refused: what that says about the reader's key (a NAK to CHLNG says it has no use for the one we named). */
  refused(step: 'chlng' | 'scrypt' | 'keyset', nak: Nak): FaultCause {
    if (this.handshake) this.keyChoice.failed(this.handshake, step === 'chlng')
    return handshakeCause(nak, this.handshake?.usedInstallKey === true)
  }

  /** Done with the current step; true when it was the last. */
  advance(): boolean {
    this.steps.shift()
    return this.steps.length === 0
  }
}
