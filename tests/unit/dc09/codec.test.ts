import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/dc09/dc09.json' with { type: 'json' }
import { crc16Arc } from '../../../cloud-bridge/uplinks/dc09/crc.js'
import { decodeFrame, encodeFrame, type Dc09Message } from '../../../cloud-bridge/uplinks/dc09/frame.js'
import { decryptHex } from '../../../cloud-bridge/uplinks/dc09/aes.js'
import { nextSequence } from '../../../cloud-bridge/uplinks/dc09/sequence.js'
import { formatTimestamp, parseTimestamp } from '../../../cloud-bridge/uplinks/dc09/timestamp.js'
import { admCidData, parseAdmCid, parseSiaDcs, siaDcsData } from '../../../cloud-bridge/uplinks/dc09/tokens.js'
import { FrameSplitter } from '../../../cloud-bridge/uplinks/dc09/splitter.js'

const T = (hh: number, mm: number, ss: number) => Date.UTC(2025, 0, 15, hh, mm, ss)
const KEY = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex')
const at = (name: string) => {
  const v = vectors.frames.find((f) => f.name.startsWith(name))
  if (!v) throw new Error(`no vector ${name}`)
  return v
}

/** Each vector with the message it carries. */
const CASES: Array<{ name: string; message: Dc09Message; key?: Buffer; pad?: Buffer }> = [
  {
    name: 'ADM-CID burglary, plain',
    message: { token: 'ADM-CID', seq: 1, receiver: '1', line: '1', account: '1234', data: '#1234|1130 01 015', xdata: [], timestamp: T(14, 30, 0) },
  },
  {
    name: 'SIA-DCS burglary, plain',
    message: { token: 'SIA-DCS', seq: 2, receiver: '1', line: '1', account: '1234', data: '#1234|Nri1/BA015', xdata: [], timestamp: T(14, 30, 5) },
  },
  { name: 'NULL link test', message: { token: 'NULL', seq: 0, receiver: '1', line: '1', account: '1234', data: '', xdata: [] } },
  { name: 'ACK for the first frame', message: { token: 'ACK', seq: 1, receiver: '1', line: '1', account: '1234', data: '', xdata: [] } },
  { name: 'NAK', message: { token: 'NAK', seq: 0, receiver: '0', line: '0', data: '', xdata: [], timestamp: T(14, 30, 10) } },
  { name: 'DUH', message: { token: 'DUH', seq: 2, receiver: '1', line: '1', account: '1234', data: '', xdata: [] } },
  {
    name: 'ADM-CID, AES-128-CBC',
    message: { token: 'ADM-CID', seq: 3, receiver: '1', line: '1', account: '1234', data: '#1234|1130 01 015', xdata: [], timestamp: T(14, 30, 10) },
    key: KEY,
    pad: Buffer.from('3A7E1145620C2F5849', 'hex'),
  },
]

describe('DC-09 frames, byte for byte [dc09.json]', () => {
  it('covers every vector', () => {
    expect(CASES.map((c) => at(c.name).frame).sort()).toEqual(vectors.frames.map((f) => f.frame).sort())
  })

  it.each(CASES)('encodes $name', (c) => {
    const opts = c.key ? { key: c.key, pad: c.pad! } : {}
    expect(encodeFrame(c.message, opts).toString('latin1')).toBe(at(c.name).frame)
  })

  it.each(CASES)('decodes $name', (c) => {
    const r = decodeFrame(Buffer.from(at(c.name).frame, 'latin1'), (acct) => (acct === '1234' && c.key ? c.key : undefined))
    expect(r).toEqual({ ok: true, encrypted: c.key !== undefined, message: c.message })
  })

  it('the AES vector decrypts to its plaintext, pad included', () => {
    const v = at('ADM-CID, AES-128-CBC')
    const hex = v.frame.slice(v.frame.indexOf('[') + 1, -1)
    const d = decryptHex(KEY, hex)
    if (!d.ok) throw new Error(d.reason)
    expect(Buffer.concat([d.pad, Buffer.from('|'), d.content]).toString('hex')).toBe(v.plaintext_hex)
  })

  it('CRC-16/ARC check value is 0xBB3D', () => {
    expect(crc16Arc(Buffer.from('123456789'))).toBe(0xbb3d)
  })

  it('rejects every single-byte corruption of a frame with a reason', () => {
    const good = Buffer.from(at('ADM-CID burglary, plain').frame, 'latin1')
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good)
      bad[i] = bad[i]! ^ 0x01
      const r = decodeFrame(bad)
      expect(r.ok, `byte ${i}`).toBe(false)
    }
  })

  it('names the problem: length, CRC, missing key', () => {
    const f = at('ADM-CID burglary, plain').frame
    expect(decodeFrame(Buffer.from(f.replace('003D', '003C'), 'latin1'))).toMatchObject({ ok: false, reason: expect.stringMatching(/length/) })
    expect(decodeFrame(Buffer.from(f.replace('B268', 'B269'), 'latin1'))).toMatchObject({ ok: false, reason: expect.stringMatching(/CRC/) })
    expect(decodeFrame(Buffer.from(at('ADM-CID, AES').frame, 'latin1'))).toMatchObject({ ok: false, account: '1234', reason: expect.stringMatching(/no key/) })
  })

  it('decrypting with the wrong key fails instead of yielding garbage', () => {
    const wrong = Buffer.alloc(16, 7)
    const r = decodeFrame(Buffer.from(at('ADM-CID, AES').frame, 'latin1'), () => wrong)
    expect(r.ok).toBe(false)
  })
})

describe('DC-09 fields', () => {
  it('sequence runs 0001-9999 and wraps to 0001', () => {
    expect(nextSequence(1)).toBe(2)
    expect(nextSequence(9998)).toBe(9999)
    expect(nextSequence(9999)).toBe(1)
    expect(nextSequence(0)).toBe(1)
  })

  it('timestamps are UTC and refuse impossible dates', () => {
    expect(formatTimestamp(T(14, 30, 0))).toBe('_14:30:00,01-15-2025')
    expect(parseTimestamp('_14:30:00,01-15-2025')).toBe(T(14, 30, 0))
    expect(parseTimestamp('_14:30:00,13-15-2025')).toBeUndefined()
    expect(parseTimestamp('_25:30:00,01-15-2025')).toBeUndefined()
  })

  it('ADM-CID and SIA-DCS data blocks as in the vectors', () => {
    expect(admCidData('1234', { qualifier: 1, code: 130, group: 1, zone: 15 })).toBe('#1234|1130 01 015')
    expect(siaDcsData('1234', { code: 'BA', area: 1, zone: 15 })).toBe('#1234|Nri1/BA015')
    expect(siaDcsData('1234', { code: 'RP', zone: 0 })).toBe('#1234|NRP000')
    expect(parseAdmCid('#1234|3130 01 015')).toEqual({ account: '1234', event: { qualifier: 3, code: 130, group: 1, zone: 15 } })
    expect(parseSiaDcs('#1234|Nri1/BA015')).toEqual({ account: '1234', event: { code: 'BA', area: 1, zone: 15 } })
  })

  it('x-data blocks follow the data block, before the timestamp', () => {
    const m: Dc09Message = {
      token: 'SIA-DCS',
      seq: 7,
      receiver: '1',
      line: '1',
      account: '1234',
      data: '#1234|Nri1/BA015',
      xdata: [
        { tag: 'X', value: 'E121.4737' },
        { tag: 'Y', value: 'N31.2304' },
        { tag: 'V', value: 'http://gw/snap/1.jpg' },
        { tag: 'I', value: 'Gate 3 forced' },
      ],
      timestamp: T(1, 2, 3),
    }
    const f = encodeFrame(m).toString('latin1')
    expect(f).toContain('[#1234|Nri1/BA015][XE121.4737][YN31.2304][Vhttp://gw/snap/1.jpg][IGate 3 forced]_01:02:03,01-15-2025\r')
    expect(decodeFrame(Buffer.from(f, 'latin1'))).toEqual({ ok: true, encrypted: false, message: m })
  })

  it('refuses to encode what a receiver could not read', () => {
    const base: Dc09Message = { token: 'NULL', seq: 1, data: '', xdata: [] }
    expect(() => encodeFrame({ ...base, seq: 10000 })).toThrow(/sequence/)
    expect(() => encodeFrame({ ...base, account: '12' })).toThrow(/account/)
    expect(() => encodeFrame({ ...base, xdata: [{ tag: 'I', value: 'a]b' }] })).toThrow(/x-data/)
    expect(() => encodeFrame(base, { key: KEY })).toThrow(/timestamp/)
  })
})

describe('DC-09 stream splitter', () => {
  const frames = vectors.frames.map((f) => Buffer.from(f.frame, 'latin1'))
  const stream = Buffer.concat(frames)

  it('finds every frame whatever the split point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const s = new FrameSplitter()
      const out = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))]
      expect(out.map((b) => b.toString('latin1'))).toEqual(vectors.frames.map((f) => f.frame))
      expect(s.dropped).toBe(0)
    }
  })

  it('skips noise and a broken frame, then finds the next good one', () => {
    const broken = Buffer.from(frames[0]!)
    broken[broken.length - 1] = 0x20 // no CR where the length puts it
    const s = new FrameSplitter()
    const out = s.push(Buffer.concat([Buffer.from('noise'), broken, frames[1]!]))
    expect(out.map((b) => b.toString('latin1'))).toEqual([vectors.frames[1]!.frame])
    expect(s.dropped).toBeGreaterThan(5)
  })
})
