/**
 * CRC-16/MODBUS: polynomial 0x8005 reflected (0xA001), initial value 0xFFFF, no final XOR.
 * The CRC is sent low byte first. [Modbus over Serial Line V1.02 §2.5.1.2, Appendix B]
 */
const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1
    t[n] = c
  }
  return t
})()

/** CRC over `buf[start, end)`. */
export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (TABLE[(crc ^ (buf[i] as number)) & 0xff] as number)
  return crc
}

/** Appends the CRC (low byte first) to an ADU body of unit + PDU. */
export function withCrc(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 2)
  out.set(body)
  out.writeUInt16LE(crc16(body), body.length)
  return out
}

/** True when the last two bytes of `frame` are the CRC of the rest. */
export function crcOk(frame: Uint8Array, start = 0, end = frame.length): boolean {
  if (end - start < 4) return false
  const got = (frame[end - 2] as number) | ((frame[end - 1] as number) << 8)
  return got === crc16(frame, start, end - 2)
}
