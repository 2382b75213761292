import { CodecError } from '../../base/errors.js'

/**
 * OSDP packet framing: bytes <-> frames. Pure: no I/O, no timers, never logs.
 *
 *   [0xFF mark]* SOM ADDR LEN_LSB LEN_MSB CTRL [SCB_LEN SCB_TYPE SCB_DATA...] CODE DATA... [MAC x4] CHECK
 *
 * LEN counts SOM through the last check byte (mark bytes excluded) [OSDP 2.2 §5.1, §5.2].
 */

export const SOM = 0x53
/** Mark byte sent before SOM so an RS-485 receiver settles; not part of the packet [OSDP 2.2 §5.1]. */
export const MARK = 0xff
export const ADDR_BROADCAST = 0x7f
/** A PD sets bit 7 of the address in its replies [OSDP 2.2 §5.3]. */
export const ADDR_REPLY_BIT = 0x80
export const CTRL_SQN_MASK = 0x03
export const CTRL_CRC = 0x04
export const CTRL_SCB = 0x08
export const HEADER_BYTES = 5
export const MAC_BYTES = 4
/** The smallest packet: header, code and an 8-bit checksum. */
export const MIN_PACKET_BYTES = HEADER_BYTES + 1 + 1

/** Security block types [OSDP 2.2 Annex D.1]. */
export const SCS = {
  /** CP -> PD: CHLNG (begin session). */
  S11: 0x11,
  /** PD -> CP: CCRYPT. */
  S12: 0x12,
  /** CP -> PD: SCRYPT. */
  S13: 0x13,
  /** PD -> CP: RMAC_I. */
  S14: 0x14,
  /** CP -> PD: MAC, data in the clear. */
  S15: 0x15,
  /** PD -> CP: MAC, data in the clear. */
  S16: 0x16,
  /** CP -> PD: MAC, data encrypted. */
  S17: 0x17,
  /** PD -> CP: MAC, data encrypted. */
  S18: 0x18,
} as const

/** Security block types whose packets carry a 4-byte MAC before the check bytes. */
export function scbHasMac(type: number): boolean {
  return type >= SCS.S15 && type <= SCS.S18
}

export interface SecurityBlock {
  type: number
  data: Buffer
}

/** One packet, as sent or received. */
export interface Frame {
  /** 0..0x7E a PD, 0x7F broadcast; without the reply bit. */
  addr: number
  /** true for PD -> CP (address bit 7 set). */
  reply: boolean
  sqn: number
  /** CRC-16 when true, the 8-bit checksum when false. */
  useCrc: boolean
  scb?: SecurityBlock
  /** Command or reply code. */
  code: number
  /** Payload after the code (ciphertext for SCS_17/SCS_18). */
  data: Buffer
  /** The MAC's first 4 bytes, present when the SCB type is SCS_15..SCS_18. */
  mac?: Buffer
}

/** A decoded packet with its original bytes (mark bytes excluded). */
export interface DecodedFrame extends Frame {
  raw: Buffer
}

/** CRC-16/AUG-CCITT: poly 0x1021, init 0x1D0F, no reflection; sent LSB first [OSDP 2.2 Annex A]. */
export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0x1d0f
  for (let i = start; i < end; i++) {
    crc ^= buf[i]! << 8
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/** The 8-bit checksum: the two's complement of the byte sum [OSDP 2.2 §5.7]. */
export function checksum8(buf: Uint8Array, start = 0, end = buf.length): number {
  let sum = 0
  for (let i = start; i < end; i++) sum += buf[i]!
  return -sum & 0xff
}

/** Total packet length a frame will have on the wire (mark bytes excluded). */
function packetLength(f: Frame): number {
  const scbBytes = f.scb ? 2 + f.scb.data.length : 0
  const macBytes = f.scb && scbHasMac(f.scb.type) ? MAC_BYTES : 0
  return HEADER_BYTES + scbBytes + 1 + f.data.length + macBytes + (f.useCrc ? 2 : 1)
}

/**
 * SOM through the last data byte, with LEN already counting the MAC and check bytes: the
 * exact input of the MAC [OSDP 2.2 Annex D.5].
 */
export function frameHead(f: Frame): Buffer {
  if (f.addr < 0 || f.addr > ADDR_BROADCAST) throw new RangeError(`OSDP address out of range: ${f.addr}`)
  if (f.sqn < 0 || f.sqn > 3) throw new RangeError(`OSDP sequence number out of range: ${f.sqn}`)
  const len = packetLength(f)
  const out = Buffer.alloc(len - (f.useCrc ? 2 : 1) - (f.scb && scbHasMac(f.scb.type) ? MAC_BYTES : 0))
  out[0] = SOM
  out[1] = f.addr | (f.reply ? ADDR_REPLY_BIT : 0)
  out.writeUInt16LE(len, 2)
  out[4] = (f.sqn & CTRL_SQN_MASK) | (f.useCrc ? CTRL_CRC : 0) | (f.scb ? CTRL_SCB : 0)
  let at = HEADER_BYTES
  if (f.scb) {
    out[at++] = 2 + f.scb.data.length
    out[at++] = f.scb.type
    at += f.scb.data.copy(out, at)
  }
  out[at++] = f.code
  f.data.copy(out, at)
  return out
}

/** Encodes a packet; `mark` prepends the 0xFF mark byte. The MAC must already be in `f.mac`. */
export function encodeFrame(f: Frame, opts: { mark?: boolean } = {}): Buffer {
  const head = frameHead(f)
  const needsMac = f.scb !== undefined && scbHasMac(f.scb.type)
  if (needsMac && (f.mac === undefined || f.mac.length < MAC_BYTES)) throw new RangeError('secure packet without its MAC')
  const parts: Buffer[] = []
  if (opts.mark) parts.push(Buffer.from([MARK]))
  parts.push(head)
  if (needsMac) parts.push(f.mac!.subarray(0, MAC_BYTES))
  const body = Buffer.concat(parts)
  const start = opts.mark ? 1 : 0
  if (f.useCrc) {
    const crc = crc16(body, start)
    return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])])
  }
  return Buffer.concat([body, Buffer.from([checksum8(body, start)])])
}

/** True when the packet's check bytes are right. `buf` holds exactly one packet from SOM. */
export function checkOk(buf: Buffer): boolean {
  if (buf.length < MIN_PACKET_BYTES) return false
  if (buf[4]! & CTRL_CRC) return buf.length >= MIN_PACKET_BYTES + 1 && crc16(buf, 0, buf.length - 2) === buf.readUInt16LE(buf.length - 2)
  return checksum8(buf, 0, buf.length - 1) === buf[buf.length - 1]
}

/**
 * Decodes exactly one packet (SOM first, no mark bytes). Throws CodecError on anything malformed;
 * the framer catches, counts and drops.
 */
export function decodeFrame(buf: Buffer): DecodedFrame {
  if (buf.length < MIN_PACKET_BYTES) throw new CodecError(`packet too short: ${buf.length} bytes`)
  if (buf[0] !== SOM) throw new CodecError(`no SOM: 0x${buf[0]!.toString(16)}`)
  const len = buf.readUInt16LE(2)
  if (len !== buf.length) throw new CodecError(`LEN ${len} but ${buf.length} bytes`)
  if (!checkOk(buf)) throw new CodecError(buf[4]! & CTRL_CRC ? 'bad CRC' : 'bad checksum')
  const ctrl = buf[4]!
  const end = buf.length - (ctrl & CTRL_CRC ? 2 : 1)
  let at = HEADER_BYTES
  let scb: SecurityBlock | undefined
  if (ctrl & CTRL_SCB) {
    const scbLen = buf[at]!
    if (scbLen < 2 || at + scbLen >= end) throw new CodecError(`bad security block length ${scbLen}`)
    scb = { type: buf[at + 1]!, data: Buffer.from(buf.subarray(at + 2, at + scbLen)) }
    at += scbLen
  }
  const macBytes = scb && scbHasMac(scb.type) ? MAC_BYTES : 0
  if (at + 1 + macBytes > end) throw new CodecError('packet too short for its security block')
  const frame: DecodedFrame = {
    addr: buf[1]! & ~ADDR_REPLY_BIT & 0xff,
    reply: (buf[1]! & ADDR_REPLY_BIT) !== 0,
    sqn: ctrl & CTRL_SQN_MASK,
    useCrc: (ctrl & CTRL_CRC) !== 0,
    code: buf[at]!,
    data: Buffer.from(buf.subarray(at + 1, end - macBytes)),
    raw: Buffer.from(buf),
  }
  if (scb) frame.scb = scb
  if (macBytes) frame.mac = Buffer.from(buf.subarray(end - macBytes, end))
  return frame
}

/** The MAC input of a received packet: SOM through the last data byte [OSDP 2.2 Annex D.5]. */
export function macInput(f: DecodedFrame): Buffer {
  const checkBytes = f.useCrc ? 2 : 1
  return f.raw.subarray(0, f.raw.length - checkBytes - (f.mac ? MAC_BYTES : 0))
}
