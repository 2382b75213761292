import { createCipheriv, createDecipheriv } from 'node:crypto'

/**
 * DC-09 encryption: AES-CBC with an all-zero IV, no PKCS padding; the plaintext is padded at its
 * front with random bytes instead, so that it fills whole 16-byte blocks and two identical messages
 * never encrypt alike. The pad never holds `|`, `[` or `]`: the receiver finds the end of the pad at
 * the first `|`. [SIA DC-09, encryption]
 */
export const AES_BLOCK = 16
const ZERO_IV = Buffer.alloc(AES_BLOCK)
const FORBIDDEN_PAD = new Set([0x7c, 0x5b, 0x5d]) // | [ ]

export type AesKeyLength = 16 | 24 | 32

export function isAesKeyLength(n: number): n is AesKeyLength {
  return n === 16 || n === 24 || n === 32
}

function algorithm(key: Uint8Array): string {
  if (!isAesKeyLength(key.length)) throw new RangeError(`AES key of ${key.length} bytes: use 16, 24 or 32`)
  return `aes-${key.length * 8}-cbc`
}

/** Pad length for `contentLength` bytes: 1 to 16, so that pad + `|` + content fills whole blocks. */
export function padLength(contentLength: number): number {
  return AES_BLOCK - ((contentLength + 1) % AES_BLOCK)
}

/** A pad of `n` bytes from `randomByte` (0-255), skipping the three bytes the pad may not hold. */
export function makePad(n: number, randomByte: () => number): Buffer {
  const pad = Buffer.alloc(n)
  for (let i = 0; i < n; i++) {
    let b = randomByte() & 0xff
    while (FORBIDDEN_PAD.has(b)) b = randomByte() & 0xff
    pad[i] = b
  }
  return pad
}

export function padIsValid(pad: Uint8Array): boolean {
  return pad.every((b) => !FORBIDDEN_PAD.has(b))
}

/** Encrypts `pad | content` (pad given) and returns upper-case hex. */
export function encryptHex(key: Uint8Array, pad: Uint8Array, content: Uint8Array): string {
  const plain = Buffer.concat([pad, Buffer.from('|'), content])
  if (plain.length % AES_BLOCK !== 0) throw new RangeError(`pad of ${pad.length} bytes leaves ${plain.length % AES_BLOCK} bytes of a block`)
  const c = createCipheriv(algorithm(key), key, ZERO_IV).setAutoPadding(false)
  return Buffer.concat([c.update(plain), c.final()])
    .toString('hex')
    .toUpperCase()
}

/** Decrypts hex ciphertext; returns the content after the pad and its `|`, or a reason. */
export function decryptHex(key: Uint8Array, hex: string): { ok: true; content: Buffer; pad: Buffer } | { ok: false; reason: string } {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex) || hex.length % (AES_BLOCK * 2) !== 0) {
    return { ok: false, reason: `ciphertext of ${hex.length} hex digits is not whole ${AES_BLOCK}-byte blocks` }
  }
  const d = createDecipheriv(algorithm(key), key, ZERO_IV).setAutoPadding(false)
  const plain = Buffer.concat([d.update(Buffer.from(hex, 'hex')), d.final()])
  const bar = plain.indexOf(0x7c)
  if (bar < 0) return { ok: false, reason: 'no "|" after the pad: wrong key, or not encrypted as DC-09' }
  return { ok: true, pad: plain.subarray(0, bar), content: plain.subarray(bar + 1) }
}
