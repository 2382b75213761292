import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { decodeResponse, encodeRequest } from '../../../adapters/modbus/codec.js'
import { mbapFraming } from '../../../adapters/modbus/framing.js'
import { fromMbap, MbapFramer, toMbap } from '../../../adapters/modbus/mbap.js'
import type { RtuDrop } from '../../../adapters/modbus/framer.js'

/** The drop of `raw`, as the framer reports it. */
const drop = (reason: RtuDrop['reason'], raw: Buffer): RtuDrop => ({ reason, bytes: raw.length, raw })

const file = fileURLToPath(new URL('../../vectors/modbus/mbap.json', import.meta.url))
const FRAMES = (JSON.parse(readFileSync(file, 'utf8')) as { frames: { name: string; hex: string; rtu: string }[] }).frames.map((f) => ({
  ...f,
  bytes: Buffer.from(f.hex, 'hex'),
  rtuBytes: Buffer.from(f.rtu, 'hex'),
}))

async function frame(chunks: Buffer[]) {
  const f = new MbapFramer()
  const out: string[] = []
  const drops: RtuDrop[] = []
  f.on('data', (b: Buffer) => out.push(b.toString('hex')))
  f.on('drop', (d: RtuDrop) => drops.push(d))
  for (const c of chunks) f.write(c)
  await new Promise<void>((r) => setImmediate(r))
  return { f, out, drops }
}

describe('MBAP envelope', () => {
  it('wraps our encoded request exactly as modbus-serial put it on the wire', () => {
    expect(toMbap(encodeRequest({ unit: 1, fc: 3, address: 0, quantity: 6 }), 1).toString('hex')).toBe(FRAMES[0]!.hex)
  })

  it.each(FRAMES)('$name: unwraps to the RTU frame with its CRC', ({ bytes, rtuBytes }) => {
    expect(fromMbap(bytes).rtu.toString('hex')).toBe(rtuBytes.toString('hex'))
    expect(toMbap(rtuBytes, bytes.readUInt16BE(0)).toString('hex')).toBe(bytes.toString('hex'))
  })

  it('the unwrapped reply decodes with the RTU codec', () => {
    const r = decodeResponse(fromMbap(FRAMES[1]!.bytes).rtu, { unit: 1, fc: 3, address: 0, quantity: 6 })
    expect(r).toEqual({ unit: 1, fc: 3, registers: [0, 0, 0, 1260, 0, 0] })
  })
})

describe('MbapFramer', () => {
  it.each(FRAMES)('$name: found at every split point', async ({ bytes }) => {
    for (let split = 0; split <= bytes.length; split++) {
      const { out } = await frame([bytes.subarray(0, split), bytes.subarray(split)])
      expect(out, `split at ${split}`).toEqual([bytes.toString('hex')])
    }
  })

  it('bytes that cannot start a header (protocol id not 0) are dropped as one run', async () => {
    const good = FRAMES[1]!.bytes
    const { out, drops } = await frame([Buffer.from([0xde, 0xad, 0xbe, 0xef]), good])
    expect(out).toEqual([good.toString('hex')])
    expect(drops).toEqual([drop('noise', Buffer.from([0xde, 0xad, 0xbe, 0xef]))])
  })

  it('resync drops a frame that never completed', async () => {
    const { f, out, drops } = await frame([FRAMES[1]!.bytes.subarray(0, 10)])
    expect(out).toEqual([])
    f.resync()
    expect(drops.reduce((n, d) => n + d.bytes, 0)).toBe(10)
    expect(f.stats.droppedBytes).toBe(10)
  })
})

describe('mbapFraming', () => {
  it('each attempt gets the next transaction id; only a reply to the last one counts', () => {
    const m = mbapFraming()
    const req = encodeRequest({ unit: 1, fc: 3, address: 0, quantity: 6 })
    expect(m.wrap(req).readUInt16BE(0)).toBe(1)
    expect(m.wrap(req).readUInt16BE(0)).toBe(2)
    const reply = (txn: number) => toMbap(Buffer.from(FRAMES[1]!.rtu, 'hex'), txn)
    expect(m.unwrap(reply(1))).toBeNull()
    expect(m.unwrap(reply(2))?.toString('hex')).toBe(FRAMES[1]!.rtu)
  })
})
