import { SCS, type DecodedFrame, type Frame } from '../../adapters/osdp/codec.js'
import { SecureSession } from '../../adapters/osdp/secure-session.js'
import { SCBK_D, clientCryptogram, deriveSessionKeys, initialRmac, sameBytes, serverCryptogram, type SessionKeys } from '../../adapters/osdp/secure.js'
import * as P from './replies.js'

/** The PD's half of setting up a secure channel [OSDP 2.2 Annex D.3], between CHLNG and SCRYPT. */
export interface PendingKeys {
  keys: SessionKeys
  rndA: Buffer
  rndB: Buffer
}

type SecureReply = Pick<Frame, 'scb' | 'code' | 'data'>

/**
 * osdp_CHLNG -> osdp_CCRYPT: the PD's id, its random number and its cryptogram under the key the
 * CP named; undefined for a malformed challenge (the PD answers NAK 0x06).
 */
export function answerChallenge(
  f: DecodedFrame,
  ownKey: Buffer | undefined,
  randomBytes: (n: number) => Buffer,
  serial: number,
): { pending: PendingKeys; reply: SecureReply } | undefined {
  const kk = f.scb?.type === SCS.S11 ? f.scb.data[0] : undefined
  if (kk === undefined || f.data.length < 8) return undefined
  // kk 0 (SCBK-D) is honoured only in install mode [Annex D.3]; otherwise libosdp answers under
  // the key it holds (all zeros after a factory reset), and the CP finds the cryptogram wrong.
  const scbk = kk === 0 && !ownKey ? SCBK_D : (ownKey ?? Buffer.alloc(16))
  const rndA = Buffer.from(f.data.subarray(0, 8))
  const rndB = randomBytes(8)
  const keys = deriveSessionKeys(scbk, rndA)
  const cuid = Buffer.from([0xc3, 0xb2, 0x02, 0x00, 0, 0, 0, 0])
  cuid.writeUInt32LE(serial, 4)
  const data = Buffer.concat([cuid, rndB, clientCryptogram(keys, rndA, rndB)])
  return { pending: { keys, rndA, rndB }, reply: { scb: { type: SCS.S12, data: Buffer.from([kk]) }, code: P.R.CCRYPT, data } }
}

/**
 * osdp_SCRYPT -> osdp_RMAC_I: the CP's cryptogram checked, the session starts; undefined when
 * there was no challenge or the cryptogram is wrong (NAK 0x06).
 */
export function answerCrypt(p: PendingKeys | undefined, f: DecodedFrame): { session: SecureSession; reply: SecureReply } | undefined {
  if (!p || f.scb?.type !== SCS.S13) return undefined
  const expected = serverCryptogram(p.keys, p.rndA, p.rndB)
  if (!sameBytes(expected, f.data.subarray(0, 16))) return undefined
  const rmacI = initialRmac(p.keys, expected)
  return { session: new SecureSession(p.keys, rmacI, 'pd'), reply: { scb: { type: SCS.S14, data: Buffer.from([0x01]) }, code: P.R.RMAC_I, data: rmacI } }
}
