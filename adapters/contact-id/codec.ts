/**
 * Contact ID as a receiver's automation port carries it: pure bytes <-> messages, no I/O.
 *
 * Sources (see SPEC.md): SIA DC-05-1999.09 "Ademco Contact ID" (the 16-digit line and its
 * checksum); Sur-Gard MLR2 / MLR2E / MLR2000 installation manuals, "Automation Protocols"
 * (message framing with DC4, ACK/NAK, 4 s window, heartbeat).
 */

/** Ends every automation message. [MLR2 automation protocol] */
export const DC4 = 0x14
/** Host -> receiver: message accepted. [MLR2E manual §9.2] */
export const ACK = 0x06
/** Host -> receiver: message garbled, send it again. [MLR2E manual §9.2] */
export const NAK = 0x15

/** `1RRL` + 11 spaces + `@` + 4 spaces: the receiver's link heartbeat, about every 30 s. */
export const HEARTBEAT_RE = /^1([0-9A-F]{2})([0-9A-F]{1,4}) {11}@ {4}$/
/** `5RRL[LLL] MTAAAAQXYZGGCCC`: one Contact ID event relayed by the receiver. */
const RECEIVER_CID_RE = /^5([0-9A-F]{2})([0-9A-F]{1,4}) (18|98)([0-9A-F]{4})([ERP])(\d{3})([0-9A-F]{2})([0-9A-F]{3})$/
/** `PRRL[LLL] ...`: a message in a protocol we relay without decoding (SIA, 4/2, receiver status). */
const OTHER_PROTOCOL_RE = /^([0-9A-Z])([0-9A-F]{2})([0-9A-F]{1,4})[ [#]/
/** A Contact ID body at the end, whatever its qualifier character (the one the line may have hit). */
const CID_BODY_RE = / (18|98)[0-9A-F]{4}.\d{3}[0-9A-F]{5}$/
/** A receiver's Contact ID header after the first character: a message with noise in front. */
const CID_HEADER_INSIDE_RE = /.5[0-9A-F]{2}[0-9A-F]{1,4} (18|98)/
/** The panel's own 16-digit line: ACCT MT Q XYZ GG CCC S. [DC-05 §3] */
const PANEL_LINE_RE = /^([0-9A-F]{4})(18|98)([136])(\d{3})([0-9A-F]{2})([0-9A-F]{3})([0-9A-F])$/

/** E new event (or opening), R restore (or closing), P previously reported, still present. */
export type Qualifier = 'E' | 'R' | 'P'
/** DC-05's event qualifier digits, by letter. [DC-05 §3: Q = 1, 3 or 6] */
export const QUALIFIER_DIGIT: Readonly<Record<Qualifier, string>> = { E: '1', R: '3', P: '6' }
const QUALIFIER_BY_DIGIT: Readonly<Record<string, Qualifier>> = { '1': 'E', '3': 'R', '6': 'P' }

/** One Contact ID event, whichever way it arrived. */
export interface ContactIdEvent {
  /** ACCT: the panel's account, 4 hex digits. */
  account: string
  /** MT: 18 (preferred) or 98 (optional); both mean Contact ID. */
  messageType: '18' | '98'
  qualifier: Qualifier
  /** XYZ: the event code, 3 digits. */
  code: string
  /** GG: group or partition. */
  group: string
  /** CCC: the zone, or the user number for open/close codes. */
  zone: string
}

export type ReceiverMessage =
  | { kind: 'heartbeat'; receiver: string; line: string }
  | { kind: 'event'; receiver: string; line: string; event: ContactIdEvent }
  /** A panel's 16-digit line passed through as is (checksum verified). */
  | { kind: 'panel-line'; event: ContactIdEvent }
  /** Another protocol the receiver relays (SIA, 4/2, its own status lines): acknowledged, not decoded. */
  | { kind: 'unknown'; protocol: string }

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string }

export interface ParseOptions {
  /** Digits of the line-number field (L), when the receiver is set to a fixed width. */
  lineDigits?: number | undefined
}

/**
 * Parses one message's text (the bytes before DC4). A `5...` message that does not parse is
 * garbled (NAK); an unknown protocol digit is still a message (ACK and log), so a receiver relaying
 * a format we do not decode never stalls the link.
 */
export function parseReceiverMessage(text: string, opts: ParseOptions = {}): ParseResult<ReceiverMessage> {
  if (text.length === 0) return { ok: false, reason: 'empty message' }
  const hb = HEARTBEAT_RE.exec(text)
  if (hb) return lineWidthOk(hb[2]!, opts) ?? { ok: true, value: { kind: 'heartbeat', receiver: hb[1]!, line: hb[2]! } }
  if (text[0] === '5') {
    const m = RECEIVER_CID_RE.exec(text)
    if (!m) return { ok: false, reason: 'malformed Contact ID message' }
    const bad = lineWidthOk(m[2]!, opts)
    if (bad) return bad
    return {
      ok: true,
      value: {
        kind: 'event',
        receiver: m[1]!,
        line: m[2]!,
        event: { messageType: m[3] as '18' | '98', account: m[4]!, qualifier: m[5] as Qualifier, code: m[6]!, group: m[7]!, zone: m[8]! },
      },
    }
  }
  if (/^[0-9A-F]{16}$/.test(text)) {
    const p = parsePanelLine(text)
    return p.ok ? { ok: true, value: { kind: 'panel-line', event: p.value } } : p
  }
  // Sur-Gard prefixes every message with its protocol digit, receiver and line; the receiver's own
  // lines start with 1 (or S, set by option 03). Requiring that header keeps the tail of a message
  // cut by noise from passing as "another protocol" and being acknowledged: it is NAKed and repeated.
  // A Contact ID body under another header is a "5..." message that lost its first bytes; one
  // with printable noise in front looks like protocol "Q" or "Z" and, acknowledged, would be lost.
  if (CID_BODY_RE.test(text)) return { ok: false, reason: 'Contact ID body without its 5RRL header' }
  if (CID_HEADER_INSIDE_RE.test(text)) return { ok: false, reason: 'Contact ID message with noise in front' }
  const other = OTHER_PROTOCOL_RE.exec(text)
  if (!other) return { ok: false, reason: 'no protocol header (PRRL)' }
  return lineWidthOk(other[3]!, opts) ?? { ok: true, value: { kind: 'unknown', protocol: other[1]! } }
}

function lineWidthOk(line: string, opts: ParseOptions): { ok: false; reason: string } | undefined {
  if (opts.lineDigits === undefined || line.length === opts.lineDigits) return undefined
  return { ok: false, reason: `line field has ${line.length} digits, expected ${opts.lineDigits}` }
}

/**
 * The checksum digit of a 15-digit Contact ID body. [DC-05 §3: digit 0 counts as 10, B-F as
 * 11-15; the sum of all 16 digits is a multiple of 15; a checksum of 0 is sent as F.]
 */
export function contactIdChecksum(body: string): string {
  const sum = digitSum(body)
  const s = (15 - (sum % 15)) % 15
  return (s === 0 ? 15 : s).toString(16).toUpperCase()
}

function digitSum(digits: string): number {
  let sum = 0
  for (const c of digits) {
    const v = parseInt(c, 16)
    sum += v === 0 ? 10 : v
  }
  return sum
}

/** Verifies and splits a panel's 16-digit line. */
export function parsePanelLine(line: string): ParseResult<ContactIdEvent> {
  const m = PANEL_LINE_RE.exec(line)
  if (!m) return { ok: false, reason: 'not a 16-digit Contact ID line' }
  if (digitSum(line) % 15 !== 0) return { ok: false, reason: 'Contact ID checksum mismatch' }
  return {
    ok: true,
    value: { account: m[1]!, messageType: m[2] as '18' | '98', qualifier: QUALIFIER_BY_DIGIT[m[3]!]!, code: m[4]!, group: m[5]!, zone: m[6]! },
  }
}

/** The 16-digit panel line for an event, checksum included. */
export function encodePanelLine(e: ContactIdEvent): string {
  const body = `${e.account}${e.messageType}${QUALIFIER_DIGIT[e.qualifier]}${e.code}${e.group}${e.zone}`
  return body + contactIdChecksum(body)
}

/** The receiver's text for an event (without DC4). */
export function formatReceiverEvent(receiver: string, line: string, e: ContactIdEvent): string {
  return `5${receiver}${line} ${e.messageType}${e.account}${e.qualifier}${e.code}${e.group}${e.zone}`
}

/** Bytes on the wire: the message text and its DC4. */
export function frameMessage(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from([DC4])])
}

/** A message's text for logs and `raw`: printable, with control bytes as <XX>. */
export function printable(bytes: Buffer): string {
  let s = ''
  for (const b of bytes) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === DC4 ? '<DC4>' : `<${b.toString(16).padStart(2, '0')}>`
  return s
}
