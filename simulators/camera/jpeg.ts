/**
 * A tiny baseline JPEG encoder for the simulator's snapshots [ITU-T T.81]. It draws a grey image
 * of flat 8x8 blocks (only DC coefficients, every AC run ends at once), which keeps the encoder to
 * a page while producing a file any decoder opens. A comment segment names the camera and the
 * time, so tests can tell one camera's snapshot from another's.
 */

/** [T.81 Annex K.3, Table K.3] The standard luminance DC Huffman table. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
const DC_VALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
/** An AC table with one symbol, EOB (0x00), coded as the single bit 0. */
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
const AC_VALS = [0]

/** Canonical Huffman codes from BITS/HUFFVAL [T.81 Annex C]. */
function huffCodes(bits: number[], vals: number[]): Map<number, { code: number; len: number }> {
  const out = new Map<number, { code: number; len: number }>()
  let code = 0
  let k = 0
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < (bits[len - 1] ?? 0); i++) out.set(vals[k++] ?? 0, { code: code++, len })
    code <<= 1
  }
  return out
}
const DC_CODES = huffCodes(DC_BITS, DC_VALS)

class BitWriter {
  private bytes: number[] = []
  private acc = 0
  private n = 0
  write(value: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1)
      if (++this.n === 8) this.flushByte()
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc)
    // [T.81 §B.1.1.5] a 0xFF data byte is followed by a stuffed 0x00.
    if (this.acc === 0xff) this.bytes.push(0)
    this.acc = 0
    this.n = 0
  }
  finish(): number[] {
    // [T.81 §F.1.2.3] pad the last byte with 1-bits.
    while (this.n !== 0) this.write(1, 1)
    return this.bytes
  }
}

function segment(marker: number, payload: number[]): number[] {
  const len = payload.length + 2
  return [0xff, marker, len >> 8, len & 0xff, ...payload]
}

/**
 * Encodes a greyscale image of `blocksX` x `blocksY` flat blocks; `level(bx, by)` is each block's
 * grey level (0-255).
 */
export function encodeBlockJpeg(blocksX: number, blocksY: number, level: (bx: number, by: number) => number, comment: string): Buffer {
  const w = blocksX * 8
  const h = blocksY * 8
  const bits = new BitWriter()
  let prevDc = 0
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      // With a quantizer of 1 the DC coefficient of a flat block is 8 x (level - 128) [T.81 §A.3.3].
      const dc = 8 * (Math.max(0, Math.min(255, Math.round(level(bx, by)))) - 128)
      const diff = dc - prevDc
      prevDc = dc
      const size = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1
      const hc = DC_CODES.get(size)!
      bits.write(hc.code, hc.len)
      if (size > 0) bits.write(diff > 0 ? diff : diff + (1 << size) - 1, size)
      bits.write(0, 1) // EOB: all AC coefficients are zero
    }
  }
  const text = [...Buffer.from(comment.slice(0, 200), 'latin1')]
  return Buffer.from([
    0xff,
    0xd8, // SOI
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // APP0 JFIF 1.01
    ...segment(0xfe, text), // COM
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]), // DQT table 0, 8-bit, all ones
    ...segment(0xc0, [8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0]), // SOF0, one component
    ...segment(0xc4, [0x00, ...DC_BITS, ...DC_VALS]), // DHT DC 0
    ...segment(0xc4, [0x10, ...AC_BITS, ...AC_VALS]), // DHT AC 0
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS
    ...bits.finish(),
    0xff,
    0xd9, // EOI
  ])
}

/** The simulator's snapshot: a diagonal gradient that shifts with `frame`, labelled with the camera. */
export function snapshotJpeg(cameraId: string, frame: number, at: number): Buffer {
  return encodeBlockJpeg(8, 6, (x, y) => 40 + ((x * 24 + y * 16 + frame * 8) % 200), `camera ${cameraId} ${new Date(at).toISOString()} #${frame}`)
}
