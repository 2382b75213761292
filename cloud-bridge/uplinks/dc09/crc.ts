/**
 * CRC-16/ARC as DC-09 uses it: polynomial 0x8005 reflected (0xA001), initial value 0, no final
 * XOR; check value 0xBB3D over "123456789". [SIA DC-09, message framing: CRC]
 */
const POLY_REFLECTED = 0xa001

const TABLE = (() => {
  const t = new Uint16Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1
    t[n] = c
  }
  return t
})()

export function crc16Arc(bytes: Uint8Array): number {
  let crc = 0
  for (const b of bytes) crc = (crc >>> 8) ^ TABLE[(crc ^ b) & 0xff]!
  return crc
}
