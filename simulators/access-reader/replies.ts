/**
 * The simulated reader's reply payloads [OSDP 2.2 §7], built here rather than borrowed from the
 * gateway so a shared mistake cannot hide; the vectors pin both.
 */

/** Reply codes, restated here on purpose (see above). */
export const R = {
  ACK: 0x40,
  NAK: 0x41,
  PDID: 0x45,
  PDCAP: 0x46,
  LSTATR: 0x48,
  ISTATR: 0x49,
  OSTATR: 0x4a,
  RAW: 0x50,
  KEYPAD: 0x53,
  CCRYPT: 0x76,
  RMAC_I: 0x78,
  BUSY: 0x79,
} as const

export interface SimIdentity {
  vendor: Buffer
  model: number
  version: number
  serial: number
  firmware: [number, number, number]
}

export interface ReplyPayload {
  code: number
  data: Buffer
}

export function pdid(id: SimIdentity): ReplyPayload {
  const d = Buffer.alloc(12)
  id.vendor.copy(d, 0, 0, 3)
  d[3] = id.model
  d[4] = id.version
  d.writeUInt32LE(id.serial, 5)
  d[9] = id.firmware[0]
  d[10] = id.firmware[1]
  d[11] = id.firmware[2]
  return { code: R.PDID, data: d }
}

/** [function, compliance, count] triples. */
export function pdcap(caps: Array<[number, number, number]>): ReplyPayload {
  return { code: R.PDCAP, data: Buffer.from(caps.flat()) }
}

export function lstatr(tamper: boolean, powerLost: boolean): ReplyPayload {
  return { code: R.LSTATR, data: Buffer.from([tamper ? 1 : 0, powerLost ? 1 : 0]) }
}

export function states(code: number, values: boolean[]): ReplyPayload {
  return { code, data: Buffer.from(values.map((v) => (v ? 1 : 0))) }
}

export function raw(reader: number, bits: number, data: Buffer): ReplyPayload {
  const head = Buffer.from([reader, 1, bits & 0xff, bits >> 8])
  return { code: R.RAW, data: Buffer.concat([head, data]) }
}

/** `*` goes out as 0x7F and `#` as 0x0D [§7.12]. */
export function keypad(reader: number, keys: string): ReplyPayload {
  const codes = [...keys].map((k) => (k === '*' ? 0x7f : k === '#' ? 0x0d : k.charCodeAt(0)))
  return { code: R.KEYPAD, data: Buffer.from([reader, codes.length, ...codes]) }
}

export function nak(code: number): ReplyPayload {
  return { code: R.NAK, data: Buffer.from([code]) }
}

export const ACK: ReplyPayload = { code: R.ACK, data: Buffer.alloc(0) }
export const BUSY: ReplyPayload = { code: R.BUSY, data: Buffer.alloc(0) }
