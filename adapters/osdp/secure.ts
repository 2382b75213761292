import { createCipheriv, createDecipheriv, timingSafeEqual } from 'node:crypto'

/**
 * OSDP secure channel cryptography [OSDP 2.2 Annex D], AES-128 from node:crypto. Pure functions of
 * their inputs; the session state (the MAC chain) lives in `SecureSession`.
 */

/** SCBK-D, the well-known install key every reader accepts in install mode [Annex D.1]. */
export const SCBK_D = Buffer.from('303132333435363738393a3b3c3d3e3f', 'hex')
export const BLOCK = 16

export interface SessionKeys {
  enc: Buffer
  mac1: Buffer
  mac2: Buffer
}

export function aesEcb(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null)
  c.setAutoPadding(false)
  return Buffer.concat([c.update(block), c.final()])
}

function aesCbc(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const c = createCipheriv('aes-128-cbc', key, iv)
  c.setAutoPadding(false)
  return Buffer.concat([c.update(data), c.final()])
}

function aesCbcDecrypt(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const d = createDecipheriv('aes-128-cbc', key, iv)
  d.setAutoPadding(false)
  return Buffer.concat([d.update(data), d.final()])
}

/** S-ENC, S-MAC1, S-MAC2 = AES(SCBK, 01 82|01|02, RND.A[0..5], 8 zero bytes) [Annex D.2]. */
export function deriveSessionKeys(scbk: Buffer, rndA: Buffer): SessionKeys {
  const derive = (label: number): Buffer => aesEcb(scbk, Buffer.concat([Buffer.from([0x01, label]), rndA.subarray(0, 6), Buffer.alloc(8)]))
  return { enc: derive(0x82), mac1: derive(0x01), mac2: derive(0x02) }
}

/** The PD proves it holds the key: AES(S-ENC, RND.A || RND.B) [Annex D.3]. */
export function clientCryptogram(keys: SessionKeys, rndA: Buffer, rndB: Buffer): Buffer {
  return aesEcb(keys.enc, Buffer.concat([rndA, rndB]))
}

/** The CP proves it holds the key: AES(S-ENC, RND.B || RND.A) [Annex D.3]. */
export function serverCryptogram(keys: SessionKeys, rndA: Buffer, rndB: Buffer): Buffer {
  return aesEcb(keys.enc, Buffer.concat([rndB, rndA]))
}

/** The initial R-MAC that seeds the MAC chain: AES(S-MAC2, AES(S-MAC1, server cryptogram)). */
export function initialRmac(keys: SessionKeys, serverCrypt: Buffer): Buffer {
  return aesEcb(keys.mac2, aesEcb(keys.mac1, serverCrypt))
}

/** Pads with 0x80 then zeros to a whole block; `always` adds a full block when already aligned. */
export function pad80(data: Buffer, always: boolean): Buffer {
  if (!always && data.length > 0 && data.length % BLOCK === 0) return data
  const padded = Buffer.alloc((Math.floor(data.length / BLOCK) + 1) * BLOCK)
  data.copy(padded)
  padded[data.length] = 0x80
  return padded
}

/** Strips 0x80 padding; undefined when the padding is malformed (wrong key or damaged data). */
export function unpad80(data: Buffer): Buffer | undefined {
  let i = data.length - 1
  while (i >= 0 && data[i] === 0) i--
  return i >= 0 && data[i] === 0x80 && data.length - i <= BLOCK ? data.subarray(0, i) : undefined
}

/**
 * The packet MAC: CBC over SOM..last data byte, 0x80-padded only when not a whole number of
 * blocks; every block but the last under S-MAC1, the last under S-MAC2; IV = the previous MAC in
 * the chain [Annex D.5]. Returns all 16 bytes (4 go on the wire, 16 chain on).
 */
export function computeMac(keys: SessionKeys, iv: Buffer, data: Buffer): Buffer {
  const padded = pad80(data, false)
  const blocks = padded.length / BLOCK
  let chain = iv
  if (blocks > 1) {
    const head = aesCbc(keys.mac1, iv, padded.subarray(0, (blocks - 1) * BLOCK))
    chain = head.subarray(head.length - BLOCK)
  }
  return aesCbc(keys.mac2, chain, padded.subarray((blocks - 1) * BLOCK))
}

export function invert(buf: Buffer): Buffer {
  return Buffer.from(buf.map((b) => ~b & 0xff))
}

/** Data encryption: AES-CBC under S-ENC, IV = NOT(the last MAC), always 0x80-padded [Annex D.4]. */
export function encryptData(keys: SessionKeys, lastMac: Buffer, plain: Buffer): Buffer {
  return aesCbc(keys.enc, invert(lastMac), pad80(plain, true))
}

export function decryptData(keys: SessionKeys, lastMac: Buffer, cipher: Buffer): Buffer | undefined {
  if (cipher.length === 0 || cipher.length % BLOCK !== 0) return undefined
  return unpad80(aesCbcDecrypt(keys.enc, invert(lastMac), cipher))
}

/** Constant-time comparison for cryptograms and MACs. */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
