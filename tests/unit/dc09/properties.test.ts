import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { decodeFrame, encodeFrame, type Dc09Message } from '../../../cloud-bridge/uplinks/dc09/frame.js'
import { decryptHex, padIsValid, padLength } from '../../../cloud-bridge/uplinks/dc09/aes.js'
import { FrameSplitter } from '../../../cloud-bridge/uplinks/dc09/splitter.js'
import { admCidData, siaDcsData, type CidQualifier } from '../../../cloud-bridge/uplinks/dc09/tokens.js'

/** Property tests with seeded randomness: the same seed replays the same cases. */
const rnd = seededRandom(20_261_201)
const int = (n: number) => Math.floor(rnd() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
const hex = (n: number) => Array.from({ length: n }, () => '0123456789ABCDEF'[int(16)]).join('')
const text = (n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(0x20 + int(0x5f)))
    .join('')
    .replace(/[[\]]/g, '.')

function randomMessage(): Dc09Message {
  const account = hex(3 + int(14))
  const token = pick(['ADM-CID', 'SIA-DCS', 'NULL'])
  const data =
    token === 'ADM-CID'
      ? admCidData(account, { qualifier: pick([1, 3, 6] as CidQualifier[]), code: int(1000), group: int(100), zone: int(1000) })
      : token === 'SIA-DCS'
        ? siaDcsData(account, { code: pick(['BA', 'FA', 'PA', 'DF', 'TA', 'RP', 'YS']), zone: int(10000), ...(rnd() < 0.5 ? { area: int(100) } : {}) })
        : ''
  const m: Dc09Message = {
    token,
    seq: int(10000),
    account,
    data,
    xdata: Array.from({ length: int(4) }, () => ({ tag: pick(['X', 'Y', 'V', 'I', 'U']), value: text(int(40)) })),
    // Second resolution, 2000-2099.
    timestamp: Date.UTC(2000, 0, 1) + int(3_155_760_000) * 1000,
  }
  if (rnd() < 0.8) m.receiver = hex(1 + int(6))
  if (rnd() < 0.8) m.line = hex(1 + int(6))
  return m
}

const CASES = Array.from({ length: 300 }, (_, i) => ({ i, message: randomMessage(), keyBytes: pick([0, 16, 24, 32]) }))

describe('DC-09 properties (seeded)', () => {
  it.each(CASES)('case $i: any event encodes to a frame that decodes back (key $keyBytes bytes)', ({ message, keyBytes }) => {
    const key = keyBytes ? Buffer.from(hex(keyBytes * 2), 'hex') : undefined
    const frame = encodeFrame(message, key ? { key, randomByte: () => int(256) } : {})
    expect(decodeFrame(frame, (a) => (a === message.account ? key : undefined))).toEqual({ ok: true, encrypted: key !== undefined, message })
    // And the stream splitter finds it whole, behind noise.
    expect(new FrameSplitter().push(Buffer.concat([Buffer.from('\r\r'), frame]))).toEqual([frame])
  })

  it.each(Array.from({ length: 16 }, (_, i) => i + 1))('a pad of %i bytes fills the blocks and survives decryption', (n) => {
    const key = Buffer.from(hex(32), 'hex')
    // Choose a data block whose `|` + content leaves exactly n bytes to pad.
    for (let base = 0; base < 64; base++) {
      const m: Dc09Message = {
        token: 'SIA-DCS',
        seq: 1,
        account: '1234',
        data: `#1234|NBA${'0'.repeat(3 + base)}`.slice(0, 10 + base),
        xdata: [],
        timestamp: 0,
      }
      const contentLength = Buffer.byteLength(`${m.data}]_00:00:00,01-01-1970`)
      if (padLength(contentLength) !== n) continue
      const frame = encodeFrame(m, { key, randomByte: () => int(256) }).toString('latin1')
      const d = decryptHex(key, frame.slice(frame.indexOf('[') + 1, -1))
      if (!d.ok) throw new Error(d.reason)
      expect(d.pad.length).toBe(n)
      expect(decodeFrame(Buffer.from(frame, 'latin1'), () => key)).toMatchObject({ ok: true, message: { data: m.data } })
      return
    }
    throw new Error(`no data length gives a pad of ${n}`)
  })

  it('the pad never holds "|", "[" or "]", even from a source that favours them', () => {
    const key = Buffer.from(hex(32), 'hex')
    const biased = () => pick([0x7c, 0x5b, 0x5d, 0x7c, int(256)])
    for (let i = 0; i < 200; i++) {
      const m = { ...randomMessage(), timestamp: 0 }
      const frame = encodeFrame(m, { key, randomByte: biased }).toString('latin1')
      const d = decryptHex(key, frame.slice(frame.indexOf('[') + 1, -1))
      if (!d.ok) throw new Error(d.reason)
      expect(padIsValid(d.pad)).toBe(true)
      expect(d.pad.length).toBeGreaterThanOrEqual(1)
      expect(d.pad.length).toBeLessThanOrEqual(16)
    }
  })

  it('never throws on random bytes or mangled frames', () => {
    for (let i = 0; i < 2000; i++) {
      const good = encodeFrame(randomMessage())
      const bad = Buffer.from(good)
      for (let k = 0; k < 1 + int(4); k++) bad[int(bad.length)] = int(256)
      expect(() => decodeFrame(bad, () => Buffer.alloc(16))).not.toThrow()
      expect(() => decodeFrame(Buffer.from(Array.from({ length: int(80) }, () => int(256))))).not.toThrow()
    }
  })
})
