import { createCipheriv, createDecipheriv } from 'node:crypto'

/**
 * The receiver's side of SIA DC-09, written from the standard apart from the uplink's codec: a
 * shared misreading of the standard would otherwise pass every test. Only `dc09.json` pins both.
 */

/** CRC-16/ARC, bit by bit (the uplink uses a table): poly 0xA001 reflected, init 0. */
export function crc16(data: Buffer): number {
  let crc = 0
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i]!
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1
  }
  return crc & 0xffff
}

export interface Incoming {
  id: string
  encrypted: boolean
  seq: string
  receiver: string | undefined
  line: string | undefined
  account: string | undefined
  /** Text between `[` and `]`. */
  data: string
  /** Extended-data blocks by letter (the last of a letter wins). */
  x: Record<string, string>
  /** `HH:MM:SS,MM-DD-YYYY` as UTC ms, or undefined when the message carries none. */
  time: number | undefined
}

export type Parsed = { ok: true; msg: Incoming } | { ok: false; why: string; account?: string; badKey?: boolean }

function readTime(s: string): number | undefined | null {
  // _HH:MM:SS,MM-DD-YYYY
  if (s === '') return undefined
  if (s.length !== 20 || s[0] !== '_' || s[3] !== ':' || s[6] !== ':' || s[9] !== ',' || s[12] !== '-' || s[15] !== '-') return null
  const n = (a: number, b: number) => Number(s.slice(a, b))
  const t = Date.UTC(n(16, 20), n(10, 12) - 1, n(13, 15), n(1, 3), n(4, 6), n(7, 9))
  return Number.isNaN(t) ? null : t
}

function readBody(rest: string): { data: string; x: Record<string, string>; time: number | undefined } | string {
  const end = rest.indexOf(']')
  if (end < 0) return 'data block not closed'
  const data = rest.slice(0, end)
  const x: Record<string, string> = {}
  let i = end + 1
  while (rest[i] === '[') {
    const close = rest.indexOf(']', i)
    if (close < 0) return 'x-data block not closed'
    x[rest[i + 1] ?? '?'] = rest.slice(i + 2, close)
    i = close + 1
  }
  const time = readTime(rest.slice(i))
  if (time === null) return `bad timestamp "${rest.slice(i)}"`
  return { data, x, time }
}

/** Reads one frame from LF to CR. `keys` gives an account's AES key. */
export function parseFrame(frame: Buffer, keys: (account: string) => Buffer | undefined): Parsed {
  if (frame[0] !== 0x0a || frame[frame.length - 1] !== 0x0d) return { ok: false, why: 'framing' }
  const crc = parseInt(frame.subarray(1, 5).toString(), 16)
  const len = parseInt(frame.subarray(5, 9).toString(), 16)
  const body = frame.subarray(9, frame.length - 1)
  if (len !== body.length) return { ok: false, why: `length ${len} != ${body.length}` }
  if (crc !== crc16(body)) return { ok: false, why: 'crc' }
  const s = body.toString('latin1')
  const q2 = s.indexOf('"', 1)
  if (s[0] !== '"' || q2 < 0) return { ok: false, why: 'id not quoted' }
  let id = s.slice(1, q2)
  const encrypted = id.startsWith('*')
  if (encrypted) id = id.slice(1)
  const seq = s.slice(q2 + 1, q2 + 5)
  if (!/^\d{4}$/.test(seq)) return { ok: false, why: 'sequence' }
  const open = s.indexOf('[', q2)
  if (open < 0) return { ok: false, why: 'no data block' }
  // Between the sequence and `[`: Rxxx, Lxxx, #acct (each optional), in that order.
  const mid = s.slice(q2 + 5, open)
  const m = /^(R[0-9A-F]+?)?(L[0-9A-F]+?)?(#[0-9A-F]+|A0)?$/.exec(mid)
  if (!m) return { ok: false, why: `header "${mid}"` }
  const account = m[3]?.startsWith('#') ? m[3].slice(1) : undefined
  let rest = s.slice(open + 1)
  if (encrypted) {
    const key = account !== undefined ? keys(account) : undefined
    if (!key) return { ok: false, why: `no key for account ${account}`, badKey: true, ...(account ? { account } : {}) }
    try {
      const d = createDecipheriv(`aes-${key.length * 8}-cbc`, key, Buffer.alloc(16)).setAutoPadding(false)
      const plain = Buffer.concat([d.update(Buffer.from(rest, 'hex')), d.final()]).toString('latin1')
      const bar = plain.indexOf('|')
      if (bar < 0) return { ok: false, why: 'cannot decrypt', badKey: true, ...(account ? { account } : {}) }
      rest = plain.slice(bar + 1)
    } catch (err) {
      return { ok: false, why: `cannot decrypt: ${(err as Error).message}`, badKey: true, ...(account ? { account } : {}) }
    }
  }
  const b = readBody(rest)
  if (typeof b === 'string') return { ok: false, why: b, ...(account ? { account } : {}) }
  return { ok: true, msg: { id, encrypted, seq, receiver: m[1]?.slice(1), line: m[2]?.slice(1), account, ...b } }
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`
}

export function timeText(ms: number): string {
  const d = new Date(ms)
  return `_${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())},${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${d.getUTCFullYear()}`
}

/** Wraps a body (from the quoted id on) as a frame. */
export function frameOf(body: string): Buffer {
  const b = Buffer.from(body, 'latin1')
  const head = crc16(b).toString(16).toUpperCase().padStart(4, '0') + b.length.toString(16).toUpperCase().padStart(4, '0')
  return Buffer.concat([Buffer.from(`\n${head}`), b, Buffer.from('\r')])
}

/**
 * An ACK (or DUH) echoing sequence, receiver, line and account. Encrypted when the message was:
 * `"*ACK"...[` + hex(pad|]timestamp), pad random and never `|`, `[` or `]`.
 */
export function answer(id: 'ACK' | 'DUH', to: Incoming, opts: { key?: Buffer; now: number; random: () => number }): Buffer {
  const head = `${to.seq}${to.receiver !== undefined ? `R${to.receiver}` : ''}${to.line !== undefined ? `L${to.line}` : ''}${to.account !== undefined ? `#${to.account}` : ''}`
  if (!opts.key || !to.encrypted) return frameOf(`"${id}"${head}[]`)
  const content = `]${timeText(opts.now)}`
  const padLen = 16 - ((content.length + 1) % 16)
  const pad: number[] = []
  while (pad.length < padLen) {
    const v = Math.floor(opts.random() * 256)
    if (v !== 0x7c && v !== 0x5b && v !== 0x5d) pad.push(v)
  }
  const c = createCipheriv(`aes-${opts.key.length * 8}-cbc`, opts.key, Buffer.alloc(16)).setAutoPadding(false)
  const hex = Buffer.concat([c.update(Buffer.concat([Buffer.from(pad), Buffer.from(`|${content}`, 'latin1')])), c.final()])
    .toString('hex')
    .toUpperCase()
  return frameOf(`"*${id}"${head}[${hex}`)
}

/** A NAK with the receiver's own time: never encrypted. */
export function nak(now: number): Buffer {
  return frameOf(`"NAK"0000R0L0A0[]${timeText(now)}`)
}
