import { SCS, frameHead, macInput, type DecodedFrame, type Frame } from './codec.js'
import { computeMac, decryptData, encryptData, sameBytes, type SessionKeys } from './secure.js'

export type Role = 'cp' | 'pd'

export type OpenResult = { ok: true; data: Buffer } | { ok: false; reason: string }

/**
 * An established secure channel: the MAC chain shared by both ends. Every packet's MAC uses the
 * previous packet's full MAC as IV, whichever side sent it; data is encrypted with IV = NOT(the
 * previous MAC) [OSDP 2.2 Annex D.4, D.5]. A resend must reuse the sealed bytes: sealing again
 * would advance the chain.
 */
export class SecureSession {
  private chain: Buffer

  constructor(
    readonly keys: SessionKeys,
    rmacI: Buffer,
    private readonly role: Role,
  ) {
    this.chain = Buffer.from(rmacI)
  }

  /** Adds the security block and MAC; encrypts the payload when there is one. */
  seal(f: Omit<Frame, 'scb' | 'mac'>): Frame {
    const encrypt = f.data.length > 0
    const type = this.role === 'cp' ? (encrypt ? SCS.S17 : SCS.S15) : encrypt ? SCS.S18 : SCS.S16
    const frame: Frame = {
      ...f,
      data: encrypt ? encryptData(this.keys, this.chain, f.data) : f.data,
      scb: { type, data: Buffer.alloc(0) },
    }
    const mac = computeMac(this.keys, this.chain, frameHead(frame))
    this.chain = mac
    frame.mac = mac.subarray(0, 4)
    return frame
  }

  /** Verifies the MAC and decrypts. A failure leaves the chain untouched; the caller ends the session. */
  open(f: DecodedFrame): OpenResult {
    const [plainType, encType] = this.role === 'cp' ? [SCS.S16, SCS.S18] : [SCS.S15, SCS.S17]
    if (!f.scb) return { ok: false, reason: 'packet in the clear during a secure session' }
    if (f.scb.type !== plainType && f.scb.type !== encType) {
      return { ok: false, reason: `unexpected security block type 0x${f.scb.type.toString(16)}` }
    }
    const mac = computeMac(this.keys, this.chain, macInput(f))
    if (!f.mac || !sameBytes(mac.subarray(0, 4), f.mac)) return { ok: false, reason: 'MAC mismatch' }
    const previous = this.chain
    let data = f.data
    if (f.scb.type === encType) {
      const plain = decryptData(this.keys, previous, f.data)
      if (plain === undefined) return { ok: false, reason: 'encrypted data does not decrypt' }
      data = plain
    }
    this.chain = mac
    return { ok: true, data }
  }
}
