import { crc16Arc } from './crc.js'
import { decryptHex, encryptHex, makePad, padLength } from './aes.js'
import { TIMESTAMP_LENGTH, formatTimestamp, parseTimestamp } from './timestamp.js'

/**
 * A DC-09 frame: `<LF>crc 0LLL "id" seq [Rrcvr] Lpref #acct [data][x-data]_timestamp <CR>`.
 * CRC-16/ARC and length cover the quoted id through the timestamp. [SIA DC-09, message format]
 *
 * Encrypted (`"*id"`), what follows `[` is hex ciphertext of `pad|data]` + x-data + timestamp;
 * no `]` follows it on the wire. The account stays in clear so the receiver can choose the key.
 */
export const LF = 0x0a
export const CR = 0x0d
/** Bytes before the quoted id: LF, 4 hex digits of CRC, 4 of length. */
const HEAD_BYTES = 9
/** The length field is `0LLL`: at most 0xFFF bytes. */
export const MAX_BODY_BYTES = 0xfff

/** One extended-data block `[Xvalue]`: a letter then its value (no brackets inside). */
export interface XData {
  tag: string
  value: string
}

export interface Dc09Message {
  /** `ADM-CID`, `SIA-DCS`, `NULL`, `ACK`, `NAK`, `DUH` (without the `*` of encryption). */
  token: string
  /** 0-9999 */
  seq: number
  /** Receiver and line (account prefix) numbers, 1-6 hex digits each. */
  receiver?: string
  line?: string
  /** Account, 3-16 hex digits; absent on a NAK (which carries `A0` in its place). */
  account?: string
  /** Between the brackets of the data block, e.g. `#1234|1130 01 015`; empty for NULL and ACK. */
  data: string
  xdata: XData[]
  /** UTC milliseconds; absent for frames sent without one (plain NULL, ACK, DUH). */
  timestamp?: number
}

export interface EncodeOptions {
  /** AES key (16, 24 or 32 bytes): encrypts the frame. */
  key?: Uint8Array
  /** A random byte 0-255 for the pad; injected so tests can fix the pad. */
  randomByte?: () => number
  /** The pad itself, overriding `randomByte` (reproducing a vector). */
  pad?: Uint8Array
}

const ID_RE = /^[A-Z0-9-]{1,16}$/
const HEX_RE = /^[0-9A-F]{1,6}$/
export const ACCOUNT_RE = /^[0-9A-F]{3,16}$/
const XTAG_RE = /^[A-Za-z]$/

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0')
}

/** `data]` + x-data + timestamp: what follows `[` in clear, or what is encrypted after the pad. */
function tail(m: Dc09Message): string {
  const x = m.xdata.map((b) => `[${b.tag}${b.value}]`).join('')
  return `${m.data}]${x}${m.timestamp !== undefined ? formatTimestamp(m.timestamp) : ''}`
}

function checkMessage(m: Dc09Message): void {
  if (!ID_RE.test(m.token)) throw new RangeError(`bad id token "${m.token}"`)
  if (!Number.isInteger(m.seq) || m.seq < 0 || m.seq > 9999) throw new RangeError(`sequence ${m.seq} outside 0-9999`)
  if (m.receiver !== undefined && !HEX_RE.test(m.receiver)) throw new RangeError(`receiver "${m.receiver}": 1-6 hex digits`)
  if (m.line !== undefined && !HEX_RE.test(m.line)) throw new RangeError(`line "${m.line}": 1-6 hex digits`)
  if (m.account !== undefined && !ACCOUNT_RE.test(m.account)) throw new RangeError(`account "${m.account}": 3-16 hex digits`)
  if (/[[\]]/.test(m.data)) throw new RangeError('data may not hold "[" or "]"')
  for (const b of m.xdata) {
    if (!XTAG_RE.test(b.tag) || /[[\]\r\n]/.test(b.value)) throw new RangeError(`bad x-data block "${b.tag}${b.value}"`)
  }
}

/** The frame's bytes. Throws RangeError on a message no receiver could read (a bug of the caller). */
export function encodeFrame(m: Dc09Message, opts: EncodeOptions = {}): Buffer {
  checkMessage(m)
  const encrypted = opts.key !== undefined
  const account = m.account !== undefined ? `#${m.account}` : m.token === 'NAK' ? 'A0' : ''
  let head = `"${encrypted ? '*' : ''}${m.token}"${String(m.seq).padStart(4, '0')}`
  if (m.receiver !== undefined) head += `R${m.receiver}`
  if (m.line !== undefined) head += `L${m.line}`
  head += account
  let body: Buffer
  if (encrypted) {
    // Encrypted messages always carry a timestamp: it is what makes a replay detectable.
    if (m.timestamp === undefined) throw new RangeError('an encrypted message needs a timestamp')
    const content = Buffer.from(tail(m), 'latin1')
    const n = padLength(content.length)
    const pad = opts.pad ?? makePad(n, opts.randomByte ?? (() => Math.floor(Math.random() * 256)))
    body = Buffer.from(`${head}[${encryptHex(opts.key!, pad, content)}`, 'latin1')
  } else {
    body = Buffer.from(`${head}[${tail(m)}`, 'latin1')
  }
  if (body.length > MAX_BODY_BYTES) throw new RangeError(`frame body of ${body.length} bytes exceeds ${MAX_BODY_BYTES}`)
  const header = `\n${hex4(crc16Arc(body))}0${body.length.toString(16).toUpperCase().padStart(3, '0')}`
  return Buffer.concat([Buffer.from(header, 'latin1'), body, Buffer.from('\r', 'latin1')])
}

export type DecodeResult =
  | { ok: true; message: Dc09Message; encrypted: boolean }
  | { ok: false; reason: string /** Known once the header parsed: a receiver NAKs or a sender drops. */; token?: string; account?: string }

// Lazy R and L: in a NAK's `R0L0A0` the `A0` is the account's place, not more line digits.
const HEADER_RE = /^"(\*?)([A-Z0-9-]{1,16})"(\d{4})(?:R([0-9A-F]{1,6}?))?(?:L([0-9A-F]{1,6}?))?(?:#([0-9A-F]{3,16})|A0)?\[/

/** Parses `data]` + x-data + optional timestamp. */
function parseTail(text: string): { data: string; xdata: XData[]; timestamp?: number } | string {
  const close = text.indexOf(']')
  if (close < 0) return 'no "]" closing the data block'
  const data = text.slice(0, close)
  if (data.includes('[')) return '"[" inside the data block'
  let rest = text.slice(close + 1)
  const xdata: XData[] = []
  while (rest.startsWith('[')) {
    const end = rest.indexOf(']')
    if (end < 2) return 'x-data block without a tag or without "]"'
    const block = rest.slice(1, end)
    if (!XTAG_RE.test(block[0]!) || block.includes('[')) return `bad x-data block "[${block}]"`
    xdata.push({ tag: block[0]!, value: block.slice(1) })
    rest = rest.slice(end + 1)
  }
  if (rest === '') return { data, xdata }
  if (rest.length !== TIMESTAMP_LENGTH) return `unexpected "${rest.slice(0, 24)}" after the data`
  const timestamp = parseTimestamp(rest)
  if (timestamp === undefined) return `bad timestamp "${rest}"`
  return { data, xdata, timestamp }
}

/**
 * Decodes one frame (LF through CR). Never throws: a bad frame gives its reason. `keyFor` gives the
 * AES key of an account; an encrypted frame for an account without one is an error.
 */
export function decodeFrame(bytes: Uint8Array, keyFor: (account: string | undefined) => Uint8Array | undefined = () => undefined): DecodeResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < HEAD_BYTES + 2 || buf[0] !== LF || buf[buf.length - 1] !== CR) return { ok: false, reason: 'not framed by LF ... CR' }
  const head = buf.toString('latin1', 1, HEAD_BYTES)
  if (!/^[0-9A-Fa-f]{4}0[0-9A-Fa-f]{3}$/.test(head)) return { ok: false, reason: `bad CRC/length field "${head}"` }
  const body = buf.subarray(HEAD_BYTES, buf.length - 1)
  const length = parseInt(head.slice(4), 16)
  if (length !== body.length) return { ok: false, reason: `length field says ${length} bytes, the frame has ${body.length}` }
  const crc = parseInt(head.slice(0, 4), 16)
  if (crc !== crc16Arc(body)) return { ok: false, reason: `CRC ${head.slice(0, 4)} does not match the body (${hex4(crc16Arc(body))})` }
  const text = body.toString('latin1')
  const h = HEADER_RE.exec(text)
  if (!h) return { ok: false, reason: `cannot read the header of "${text.slice(0, 40)}"` }
  const [, star, token, seq, receiver, line, account] = h
  const base: Dc09Message = { token: token!, seq: Number(seq), data: '', xdata: [] }
  if (receiver !== undefined) base.receiver = receiver
  if (line !== undefined) base.line = line
  if (account !== undefined) base.account = account
  const after = text.slice(h[0].length)
  let tailText = after
  if (star) {
    const key = keyFor(account)
    if (!key)
      return { ok: false, reason: `encrypted frame for account ${account ?? '(none)'} and no key for it`, token: token!, ...(account ? { account } : {}) }
    const d = decryptHex(key, after)
    if (!d.ok) return { ok: false, reason: d.reason, token: token!, ...(account ? { account } : {}) }
    tailText = d.content.toString('latin1')
  }
  const t = parseTail(tailText)
  if (typeof t === 'string') return { ok: false, reason: t, token: token!, ...(account ? { account } : {}) }
  return { ok: true, encrypted: star === '*', message: { ...base, ...t } }
}
