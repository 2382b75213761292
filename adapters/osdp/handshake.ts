import { SCS, type DecodedFrame, type Frame } from './codec.js'
import * as C from './commands.js'
import type { ReaderKeyStore } from './key-store.js'
import { REPLY, decodeCcrypt, decodeRmacI } from './replies.js'
import { clientCryptogram, deriveSessionKeys, initialRmac, sameBytes, serverCryptogram, type SessionKeys } from './secure.js'
import { SecureSession } from './secure-session.js'

export interface HandshakeOptions {
  keyName: string
  installKey: Buffer
  keys: ReaderKeyStore
  randomBytes(n: number): Buffer
}

/** `definitive`: the reader really holds another key (not a damaged or unexpected reply). */
type Step = { ok: true; session?: SecureSession } | { ok: false; reason: string; definitive: boolean }

/**
 * The control panel's half of secure channel set-up [OSDP 2.2 Annex D.3]:
 * CHLNG(RND.A) -> CCRYPT(cUID, RND.B, client cryptogram) -> SCRYPT(server cryptogram) -> RMAC_I.
 * kk = 1 asks the reader to use its own SCBK, kk = 0 the install key SCBK-D.
 */
export class Handshake {
  readonly rndA: Buffer
  readonly kk: 0 | 1
  /** The keys the reader's cryptogram may be made with, in the order we try them. */
  private readonly candidates: Buffer[]
  private keysInUse: SessionKeys | undefined
  private scbk: Buffer | undefined
  private serverCrypt: Buffer | undefined
  /** Set by the link when it sends KEYSET. */
  newKey: Buffer | undefined

  constructor(
    private readonly opts: HandshakeOptions,
    /** The pending key already failed once: the KEYSET never landed, so use the install key. */
    pendingFailed: boolean,
  ) {
    this.rndA = opts.randomBytes(8)
    const stored = opts.keys.get(opts.keyName)
    if (stored.active) {
      this.kk = 1
      this.candidates = [stored.active, ...(stored.pending ? [stored.pending] : [])]
    } else if (stored.pending && !pendingFailed) {
      this.kk = 1
      this.candidates = [stored.pending]
    } else {
      this.kk = 0
      this.candidates = [opts.installKey]
    }
  }

  get usedInstallKey(): boolean {
    return this.kk === 0
  }

  get usedPendingKey(): boolean {
    const stored = this.opts.keys.get(this.opts.keyName)
    return !stored.active && stored.pending !== undefined && this.kk === 1
  }

  chlng(): Omit<Frame, 'addr' | 'reply' | 'sqn' | 'useCrc'> {
    return { scb: { type: SCS.S11, data: Buffer.from([this.kk]) }, ...C.chlng(this.rndA) }
  }

  onCcrypt(f: DecodedFrame, data: Buffer): Step {
    if (f.code !== REPLY.CCRYPT || f.scb?.type !== SCS.S12)
      return { ok: false, reason: `expected CCRYPT, got reply 0x${f.code.toString(16)}`, definitive: false }
    if (data.length < 32) return { ok: false, reason: `CCRYPT too short: ${data.length} bytes`, definitive: false }
    const c = decodeCcrypt(data)
    for (const scbk of this.candidates) {
      const keys = deriveSessionKeys(scbk, this.rndA)
      if (sameBytes(clientCryptogram(keys, this.rndA, c.rndB), c.clientCryptogram)) {
        this.keysInUse = keys
        this.scbk = scbk
        this.serverCrypt = serverCryptogram(keys, this.rndA, c.rndB)
        // The reader answered under a pending key: its KEYSET landed before we saw the ACK.
        const stored = this.opts.keys.get(this.opts.keyName)
        if (this.kk === 1 && stored.pending?.equals(scbk)) this.opts.keys.commit(this.opts.keyName, scbk)
        return { ok: true }
      }
    }
    return {
      ok: false,
      reason: this.kk === 1 ? "reader's cryptogram matches none of the keys we hold for it" : "reader's cryptogram does not match the install key",
      definitive: true,
    }
  }

  scrypt(): Omit<Frame, 'addr' | 'reply' | 'sqn' | 'useCrc'> {
    return { scb: { type: SCS.S13, data: Buffer.from([this.kk]) }, ...C.scrypt(this.serverCrypt!) }
  }

  onRmacI(f: DecodedFrame, data: Buffer): Step {
    if (f.code !== REPLY.RMAC_I || f.scb?.type !== SCS.S14)
      return { ok: false, reason: `expected RMAC_I, got reply 0x${f.code.toString(16)}`, definitive: false }
    if (data.length < 16) return { ok: false, reason: `RMAC_I too short: ${data.length} bytes`, definitive: false }
    const rmacI = decodeRmacI(data)
    if (!sameBytes(rmacI, initialRmac(this.keysInUse!, this.serverCrypt!)))
      return { ok: false, reason: 'reader rejected our cryptogram (RMAC-I mismatch)', definitive: false }
    return { ok: true, session: new SecureSession(this.keysInUse!, rmacI, 'cp') }
  }

  get key(): Buffer | undefined {
    return this.scbk
  }
}

/**
 * Which key to name next time, when a KEYSET's fate is unknown (a pending key, no active one):
 * a definitive refusal of the pending key means the reader kept the install key, and one of the
 * install key means it took the pending key. A damaged reply proves nothing either way.
 */
export class KeyChoice {
  /** A handshake under the pending key failed: the KEYSET never landed, use the install key. */
  pendingFailed = false

  failed(hs: Handshake, definitive: boolean): void {
    if (!definitive) return
    if (hs.usedPendingKey) this.pendingFailed = true
    else if (hs.usedInstallKey) this.pendingFailed = false
  }
}
