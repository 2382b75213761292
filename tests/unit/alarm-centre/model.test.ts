import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/dc09/dc09.json' with { type: 'json' }
import { CentreModel } from '../../../simulators/alarm-centre/model.js'
import { frameOf as frameOfBody, nak, parseFrame } from '../../../simulators/alarm-centre/protocol.js'

const KEY = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex')
const T = (hh: number, mm: number, ss: number) => Date.UTC(2025, 0, 15, hh, mm, ss)
const frame = (name: string) => Buffer.from(vectors.frames.find((f) => f.name.startsWith(name))!.frame, 'latin1')
const text = (b: Buffer | undefined) => b?.toString('latin1')

describe('alarm-centre simulator: its own decoder against dc09.json', () => {
  it('reads every vector', () => {
    for (const f of vectors.frames) {
      const p = parseFrame(Buffer.from(f.frame, 'latin1'), () => KEY)
      expect(p.ok, f.name).toBe(true)
    }
  })

  it('reads the plain and encrypted ADM-CID frames to the same event', () => {
    const plain = parseFrame(frame('ADM-CID burglary, plain'), () => undefined)
    const enc = parseFrame(frame('ADM-CID, AES'), () => KEY)
    expect(plain).toMatchObject({
      ok: true,
      msg: { id: 'ADM-CID', seq: '0001', receiver: '1', line: '1', account: '1234', data: '#1234|1130 01 015', time: T(14, 30, 0) },
    })
    expect(enc).toMatchObject({
      ok: true,
      msg: { id: 'ADM-CID', encrypted: true, seq: '0003', account: '1234', data: '#1234|1130 01 015', time: T(14, 30, 10) },
    })
  })

  it('answers the first frame with the vector ACK, byte for byte', () => {
    const m = new CentreModel({ now: () => T(14, 30, 2) })
    expect(text(m.handle(frame('ADM-CID burglary, plain')).reply)).toBe(vectors.frames.find((f) => f.name.startsWith('ACK'))!.frame)
  })

  it('makes the vector NAK from its own time', () => {
    expect(text(nak(T(14, 30, 10)))).toBe(vectors.frames.find((f) => f.name === 'NAK')!.frame)
  })

  it('NAKs a message outside -40/+20 s of its clock, with its time', () => {
    const at = (now: number) => new CentreModel({ now: () => now }).handle(frame('ADM-CID burglary, plain'))
    expect(text(at(T(14, 30, 40)).reply)).toContain('"ACK"0001')
    expect(text(at(T(14, 30, 41)).reply)).toBe(text(nak(T(14, 30, 41))))
    expect(text(at(T(14, 29, 40)).reply)).toContain('"ACK"0001')
    expect(text(at(T(14, 29, 39)).reply)).toBe(text(nak(T(14, 29, 39))))
  })

  it('answers an encrypted message with an encrypted ACK it can read back; DUH without the key', () => {
    const m = new CentreModel({ now: () => T(14, 30, 12), keys: { '1234': KEY } })
    const out = m.handle(frame('ADM-CID, AES'))
    expect(text(out.reply)).toMatch(/^\n[0-9A-F]{8}"\*ACK"0003R1L1#1234\[[0-9A-F]{64}\r$/)
    expect(parseFrame(out.reply!, () => KEY)).toMatchObject({ ok: true, msg: { id: 'ACK', seq: '0003', data: '', time: T(14, 30, 12) } })
    const noKey = new CentreModel({ now: () => T(14, 30, 12) }).handle(frame('ADM-CID, AES'))
    expect(text(noKey.reply)).toContain('"DUH"0000#1234[]')
  })

  it('NAKs a corrupted frame and records nothing', () => {
    const m = new CentreModel({ now: () => T(14, 30, 0) })
    const bad = Buffer.from(frame('ADM-CID burglary, plain'))
    bad[20] = 0x39
    expect(text(m.handle(bad).reply)).toContain('"NAK"')
    expect(m.events).toHaveLength(0)
  })

  it('faults: dropped request, dropped ACK, wrong ACK sequence, close, NAK storm, DUH, clock offset', () => {
    const m = new CentreModel({ now: () => T(14, 30, 0), faults: { dropRequests: 1, dropAcks: 1, wrongAckSeq: 1, closeConnection: 1, nakStorm: 1, duh: 1 } })
    const f = frame('ADM-CID burglary, plain')
    expect(m.handle(f)).toEqual({})
    expect(m.handle(f)).toEqual({ close: true })
    expect(text(m.handle(f).reply)).toContain('"NAK"')
    expect(text(m.handle(f).reply)).toContain('"DUH"0001')
    expect(m.handle(f)).toEqual({}) // recorded, ACK lost
    expect(text(m.handle(f).reply)).toContain('"ACK"0002')
    expect(text(m.handle(f).reply)).toContain('"ACK"0001')
    expect(m.events).toHaveLength(3)
    const skewed = new CentreModel({ now: () => T(14, 30, 0), faults: { clockOffsetMs: 2 * 3_600_000 } })
    expect(text(skewed.handle(f).reply)).toBe(text(nak(T(16, 30, 0))))
  })

  it('reports duplicates by event id and by content with sequence, order per account and zone, and lost ids', () => {
    const m = new CentreModel({ now: () => T(14, 30, 0) })
    const ids = ['0190a0b0-0000-7000-8000-000000000001', '0190a0b0-0000-7000-8000-000000000002', '0190a0b0-0000-7000-8000-000000000003']
    const ev = (seq: number, id: string | undefined, zone = '015') => {
      const body = `"ADM-CID"${String(seq).padStart(4, '0')}R1L1#1234[#1234|1130 01 ${zone}]${id ? `[U${id}]` : ''}_14:30:00,01-15-2025`
      return frameOfBody(body)
    }
    m.handle(ev(1, ids[1]))
    m.handle(ev(2, ids[1])) // same event, new sequence (after a restart)
    m.handle(ev(3, ids[0])) // older id after a newer one, same zone
    m.handle(ev(4, undefined, '016'))
    m.handle(ev(4, undefined, '016')) // same content and sequence
    const r = m.report(ids)
    expect(r).toMatchObject({ received: 5, unique: 3, duplicates: 2, outOfOrder: 1, lost: [ids[2]] })
    expect(r.perAccount['1234']).toEqual({ unique: 3, duplicates: 2, outOfOrder: 1, sequenceGaps: 0 })
  })

  it('counts messages missing from the numbering; a retry is not a gap, a big jump is a restart', () => {
    const m = new CentreModel({ now: () => T(14, 30, 0) })
    const msg = (seq: number, acct = '1234') => frameOfBody(`"NULL"${String(seq).padStart(4, '0')}R1L1#${acct}[]`)
    for (const seq of [9998, 9999, 9999, 1, 4, 5, 500, 501]) m.handle(msg(seq))
    m.handle(msg(7, '5678'))
    m.handle(msg(9, '5678'))
    expect(m.report()).toMatchObject({ sequenceGaps: 3, sequenceRestarts: 1 })
  })
})
