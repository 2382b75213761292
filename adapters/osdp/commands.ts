/**
 * CP -> PD command codes and payload encoders [OSDP 2.2 §6]. Pure: values in, bytes out.
 * Multi-byte fields are LSB first throughout OSDP.
 */

export const CMD = {
  POLL: 0x60,
  ID: 0x61,
  CAP: 0x62,
  LSTAT: 0x64,
  ISTAT: 0x65,
  OSTAT: 0x66,
  OUT: 0x68,
  LED: 0x69,
  BUZ: 0x6a,
  KEYSET: 0x75,
  CHLNG: 0x76,
  SCRYPT: 0x77,
} as const

export const CMD_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(CMD).map(([name, code]) => [code, name]))

/** A command ready for framing: code and payload. */
export interface CommandPayload {
  code: number
  data: Buffer
}

const EMPTY = Buffer.alloc(0)

export function poll(): CommandPayload {
  return { code: CMD.POLL, data: EMPTY }
}

/** osdp_ID with the one defined request type, 0x00 "standard PD ID block" [§6.2]. */
export function id(): CommandPayload {
  return { code: CMD.ID, data: Buffer.from([0x00]) }
}

/** osdp_CAP, request 0x00 [§6.3]. */
export function cap(): CommandPayload {
  return { code: CMD.CAP, data: Buffer.from([0x00]) }
}

export function lstat(): CommandPayload {
  return { code: CMD.LSTAT, data: EMPTY }
}

export function istat(): CommandPayload {
  return { code: CMD.ISTAT, data: EMPTY }
}

export function ostat(): CommandPayload {
  return { code: CMD.OSTAT, data: EMPTY }
}

/** osdp_OUT control codes [§6.7, table 18]. */
export const OUT_CODE = {
  NOP: 0,
  PERMANENT_OFF_ABORT_TIMED: 1,
  PERMANENT_ON_ABORT_TIMED: 2,
  PERMANENT_OFF_ALLOW_TIMED: 3,
  PERMANENT_ON_ALLOW_TIMED: 4,
  TEMPORARY_ON_RESUME: 5,
  TEMPORARY_OFF_RESUME: 6,
} as const

export interface OutputRecord {
  output: number
  code: number
  /** For the temporary codes, in units of 100 ms. */
  timer100ms: number
}

/** osdp_OUT: one 4-byte record per output [§6.7]. */
export function out(records: OutputRecord[]): CommandPayload {
  const data = Buffer.alloc(4 * records.length)
  records.forEach((r, i) => {
    data[i * 4] = r.output
    data[i * 4 + 1] = r.code
    data.writeUInt16LE(clampU16(r.timer100ms), i * 4 + 2)
  })
  return { code: CMD.OUT, data }
}

/** Pulses an output on for `ms`, rounded up to the 100 ms unit. */
export function pulse(output: number, ms: number): CommandPayload {
  return out([{ output, code: OUT_CODE.TEMPORARY_ON_RESUME, timer100ms: Math.ceil(ms / 100) }])
}

/** LED colours [§6.8, table 22]. */
export const COLOR = { BLACK: 0, RED: 1, GREEN: 2, AMBER: 3, BLUE: 4, MAGENTA: 5, CYAN: 6, WHITE: 7 } as const

export interface LedTemporary {
  onColor: number
  offColor: number
  /** On and off times in units of 100 ms. */
  on100ms: number
  off100ms: number
  /** How long the temporary state lasts, in units of 100 ms. */
  timer100ms: number
}

export interface LedPermanent {
  onColor: number
  offColor: number
  on100ms: number
  off100ms: number
}

export interface LedRecord {
  reader: number
  led: number
  temporary?: LedTemporary
  permanent?: LedPermanent
}

/**
 * osdp_LED: one 14-byte record [§6.8]. Temporary control code 2 = set the temporary state and
 * start its timer; permanent control code 1 = set the permanent state; 0 = leave as is.
 */
export function led(records: LedRecord[]): CommandPayload {
  const data = Buffer.alloc(14 * records.length)
  records.forEach((r, i) => {
    const o = i * 14
    data[o] = r.reader
    data[o + 1] = r.led
    if (r.temporary) {
      writeLedState(data, o + 2, 2, r.temporary)
      data.writeUInt16LE(clampU16(r.temporary.timer100ms), o + 7)
    }
    if (r.permanent) writeLedState(data, o + 9, 1, r.permanent)
  })
  return { code: CMD.LED, data }
}

/** Control code, on time, off time, on colour, off colour: the layout both halves of a record share. */
function writeLedState(data: Buffer, at: number, controlCode: number, s: LedPermanent): void {
  data[at] = controlCode
  data[at + 1] = s.on100ms
  data[at + 2] = s.off100ms
  data[at + 3] = s.onColor
  data[at + 4] = s.offColor
}

export interface BuzzerRecord {
  reader: number
  /** 0 no tone (off), 1 off, 2 default tone [§6.9]. */
  tone: number
  on100ms: number
  off100ms: number
  /** 0 = until told otherwise. */
  count: number
}

/** osdp_BUZ: one 5-byte record [§6.9]. */
export function buz(r: BuzzerRecord): CommandPayload {
  return { code: CMD.BUZ, data: Buffer.from([r.reader, r.tone, r.on100ms, r.off100ms, r.count]) }
}

/** osdp_KEYSET: key type 0x01 = SCBK, then its length and the key [§6.20]. */
export function keyset(scbk: Buffer): CommandPayload {
  if (scbk.length !== 16) throw new RangeError('an SCBK is 16 bytes')
  return { code: CMD.KEYSET, data: Buffer.concat([Buffer.from([0x01, 16]), scbk]) }
}

/** osdp_CHLNG carries RND.A (8 bytes) [Annex D.3]. */
export function chlng(rndA: Buffer): CommandPayload {
  return { code: CMD.CHLNG, data: Buffer.from(rndA) }
}

/** osdp_SCRYPT carries the server cryptogram (16 bytes) [Annex D.3]. */
export function scrypt(serverCryptogram: Buffer): CommandPayload {
  return { code: CMD.SCRYPT, data: Buffer.from(serverCryptogram) }
}

function clampU16(n: number): number {
  return Math.max(0, Math.min(0xffff, Math.round(n)))
}
