import { CodecError } from '../../base/errors.js'

/** PD -> CP reply codes and payload decoders [OSDP 2.2 §7]. Pure; throw CodecError on short data. */

export const REPLY = {
  ACK: 0x40,
  NAK: 0x41,
  PDID: 0x45,
  PDCAP: 0x46,
  LSTATR: 0x48,
  ISTATR: 0x49,
  OSTATR: 0x4a,
  RAW: 0x50,
  FMT: 0x51,
  KEYPAD: 0x53,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
  BUSY: 0x79,
} as const

/** osdp_NAK error codes [§7.3, table 45]. */
export const NAK_CODES: Readonly<Record<number, string>> = {
  0x00: 'no error',
  0x01: 'message check character(s) error',
  0x02: 'command length error',
  0x03: 'unknown command code',
  0x04: 'unexpected sequence number',
  // 0x05 and 0x06 are different faults: the PD cannot handle the security block we sent, versus
  // the PD will not take this command outside a secure channel (or the session it had is gone).
  0x05: 'unsupported security block (the reader does not support the security block it received)',
  0x06: 'encrypted communication required (communication security conditions not met)',
  0x07: 'BIO_TYPE not supported',
  0x08: 'BIO_FORMAT not supported',
  0x09: 'unable to process command record',
}
export const NAK = { CHECK: 0x01, LENGTH: 0x02, UNKNOWN_COMMAND: 0x03, SEQUENCE: 0x04, SECURITY: 0x05, ENCRYPTION_REQUIRED: 0x06 } as const

function need(data: Buffer, n: number, what: string): void {
  if (data.length < n) throw new CodecError(`${what}: ${data.length} byte(s), need ${n}`)
}

export interface Nak {
  code: number
  reason: string
}

export function decodeNak(data: Buffer): Nak {
  need(data, 1, 'NAK')
  const code = data[0]!
  return { code, reason: NAK_CODES[code] ?? `unknown NAK code 0x${code.toString(16).padStart(2, '0')}` }
}

/** osdp_PDID [§7.4]. */
export interface PdId {
  /** The vendor's IEEE OUI as registries and datasheets write it, e.g. "A1-B2-C3". */
  vendor: string
  model: number
  version: number
  serial: number
  firmware: string
}

/**
 * [§7.4] the vendor code goes out least significant octet first (libosdp sends a 24-bit value
 * LSB first): an OUI documented as A1-B2-C3 arrives as c3 b2 a1. Shown in the IEEE form.
 */
function oui(wire: Buffer): string {
  return [...wire]
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join('-')
}

export function decodePdId(data: Buffer): PdId {
  need(data, 12, 'PDID')
  return {
    vendor: oui(data.subarray(0, 3)),
    model: data[3]!,
    version: data[4]!,
    serial: data.readUInt32LE(5),
    firmware: `${data[9]}.${data[10]}.${data[11]}`,
  }
}

/** osdp_PDCAP function codes [§7.5, table 50]. */
export const CAP_NAMES: Readonly<Record<number, string>> = {
  1: 'contactStatus',
  2: 'outputControl',
  3: 'cardFormat',
  4: 'readerLed',
  5: 'readerAudible',
  6: 'readerText',
  7: 'timeKeeping',
  8: 'checkCharacter',
  9: 'communicationSecurity',
  10: 'receiveBufferSize',
  11: 'largestCombinedMessage',
  12: 'smartCard',
  13: 'readers',
  14: 'biometrics',
  15: 'securePinEntry',
  16: 'osdpVersion',
}

export interface Capability {
  code: number
  name: string
  compliance: number
  count: number
}

export function decodePdCap(data: Buffer): Capability[] {
  if (data.length % 3 !== 0) throw new CodecError(`PDCAP: ${data.length} bytes is not a multiple of 3`)
  const caps: Capability[] = []
  for (let i = 0; i < data.length; i += 3) {
    const code = data[i]!
    caps.push({ code, name: CAP_NAMES[code] ?? `function${code}`, compliance: data[i + 1]!, count: data[i + 2]! })
  }
  return caps
}

/**
 * Capabilities as a flat record for device state. For the two buffer sizes (10, 11) the two
 * bytes are one LSB-first number [§7.5].
 */
export function summarizeCaps(caps: Capability[]): Record<string, number | { compliance: number; count: number }> {
  const out: Record<string, number | { compliance: number; count: number }> = {}
  for (const c of caps) {
    out[c.name] = c.code === 10 || c.code === 11 ? c.compliance | (c.count << 8) : { compliance: c.compliance, count: c.count }
  }
  return out
}

/** osdp_LSTATR [§7.6]: tamper 0 normal / 1 tampered; power 0 normal / 1 failure. */
export interface LocalStatus {
  tamper: boolean
  powerLost: boolean
}

export function decodeLstatr(data: Buffer): LocalStatus {
  need(data, 2, 'LSTATR')
  return { tamper: data[0] !== 0, powerLost: data[1] !== 0 }
}

/** osdp_ISTATR / osdp_OSTATR: one byte per input or output, 0 inactive, 1 active [§7.7, §7.8]. */
export function decodeStates(data: Buffer): boolean[] {
  return [...data].map((b) => b !== 0)
}

/** osdp_RAW [§7.10]: reader, format (0 raw, 1 Wiegand), bit count LSB first, the bits MSB first. */
export interface RawCard {
  reader: number
  format: number
  bits: number
  data: Buffer
}

export function decodeRaw(data: Buffer): RawCard {
  need(data, 4, 'RAW')
  const bits = data.readUInt16LE(2)
  const bytes = Math.ceil(bits / 8)
  need(data, 4 + bytes, 'RAW')
  return { reader: data[0]!, format: data[1]!, bits, data: Buffer.from(data.subarray(4, 4 + bytes)) }
}

/** osdp_FMT [§7.11]: reader, read direction, character count, ASCII card number. */
export interface FormattedCard {
  reader: number
  reverse: boolean
  text: string
}

export function decodeFmt(data: Buffer): FormattedCard {
  need(data, 3, 'FMT')
  const n = data[2]!
  need(data, 3 + n, 'FMT')
  return { reader: data[0]!, reverse: data[1] !== 0, text: data.subarray(3, 3 + n).toString('latin1') }
}

/** osdp_KEYPAD [§7.12]: `*` is sent as 0x7F and `#` as 0x0D. */
export interface KeypadEntry {
  reader: number
  keys: string
}

export function decodeKeypad(data: Buffer): KeypadEntry {
  need(data, 2, 'KEYPAD')
  const n = data[1]!
  need(data, 2 + n, 'KEYPAD')
  let keys = ''
  for (const b of data.subarray(2, 2 + n)) keys += b === 0x7f ? '*' : b === 0x0d ? '#' : String.fromCharCode(b)
  return { reader: data[0]!, keys }
}

/** osdp_CCRYPT [Annex D.3]: cUID (8), RND.B (8), client cryptogram (16). */
export interface Ccrypt {
  cuid: Buffer
  rndB: Buffer
  clientCryptogram: Buffer
}

export function decodeCcrypt(data: Buffer): Ccrypt {
  need(data, 32, 'CCRYPT')
  return { cuid: Buffer.from(data.subarray(0, 8)), rndB: Buffer.from(data.subarray(8, 16)), clientCryptogram: Buffer.from(data.subarray(16, 32)) }
}

/** osdp_RMAC_I [Annex D.3]: the initial R-MAC (16). */
export function decodeRmacI(data: Buffer): Buffer {
  need(data, 16, 'RMAC_I')
  return Buffer.from(data.subarray(0, 16))
}
