import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/contact-id/contact-id.json' with { type: 'json' }
import {
  contactIdChecksum,
  encodePanelLine,
  formatReceiverEvent,
  frameMessage,
  parsePanelLine,
  parseReceiverMessage,
  printable,
} from '../../../adapters/contact-id/codec.js'

const QUALIFIER: Record<number, string> = { 1: 'E', 3: 'R', 6: 'P' }

describe('Contact ID panel line [DC-05]', () => {
  it.each(vectors.contact_id_lines)('$line ($note)', (v) => {
    const r = parsePanelLine(v.line)
    expect(r.ok).toBe(v.valid)
    if (!r.ok || !v.valid) {
      if (!r.ok) expect(r.reason).toMatch(/checksum/)
      return
    }
    expect(r.value).toEqual({ account: v.account, messageType: v.mt, qualifier: QUALIFIER[v.qualifier!], code: v.code, group: v.group, zone: v.zone })
    expect(encodePanelLine(r.value)).toBe(v.line)
  })

  it('weighs digit 0 as 10 and sends a zero checksum as F', () => {
    // 1234 18 1 131 01 015: sum 52, 52 + 8 = 60. [DC-05 §3]
    expect(contactIdChecksum('123418113101015')).toBe('8')
    // A body whose sum is already a multiple of 15 gets F, never 0.
    const body = '123418160101007' // sum 75
    expect(contactIdChecksum(body)).toBe('F')
    expect(parsePanelLine(`${body}F`).ok).toBe(true)
  })

  it('round-trips every qualifier and hex digits B-F in the account', () => {
    for (const qualifier of ['E', 'R', 'P'] as const) {
      const e = { account: 'BCDE', messageType: '98' as const, qualifier, code: '602', group: '00', zone: '000' }
      const line = encodePanelLine(e)
      expect(parsePanelLine(line)).toEqual({ ok: true, value: e })
    }
  })

  it('rejects every single-digit corruption of a valid line', () => {
    const good = vectors.contact_id_lines[0]!.line
    for (let i = 0; i < good.length; i++) {
      for (const d of '0123456789') {
        if (d === good[i]) continue
        const bad = good.slice(0, i) + d + good.slice(i + 1)
        // Changing one digit changes the sum by 1-9 (0 weighs 10): never a multiple of 15 again.
        expect(parsePanelLine(bad).ok, bad).toBe(false)
      }
    }
  })
})

describe('receiver automation messages [MLR2]', () => {
  const events = vectors.receiver_messages.filter((v) => !v.heartbeat)

  it.each(events)('$text ($note)', (v) => {
    const bytes = Buffer.from(v.hex, 'hex')
    expect(bytes.at(-1)).toBe(0x14)
    const text = bytes.subarray(0, -1).toString('latin1')
    const r = parseReceiverMessage(text)
    expect(r).toEqual({
      ok: true,
      value: {
        kind: 'event',
        receiver: v.receiver,
        line: v.line,
        event: { messageType: '18', account: v.account, qualifier: v.qualifier, code: v.code, group: v.group, zone: v.zone },
      },
    })
    if (r.ok && r.value.kind === 'event') expect(frameMessage(formatReceiverEvent(r.value.receiver, r.value.line, r.value.event)).toString('hex')).toBe(v.hex)
  })

  it('parses the heartbeat vector', () => {
    const hb = vectors.receiver_messages.find((v) => v.heartbeat)!
    const text = Buffer.from(hb.hex, 'hex').subarray(0, -1).toString('latin1')
    expect(parseReceiverMessage(text)).toEqual({ ok: true, value: { kind: 'heartbeat', receiver: '01', line: '1' } })
  })

  it('enforces a configured line-number width', () => {
    expect(parseReceiverMessage('5011 181234E12101001', { lineDigits: 1 }).ok).toBe(true)
    expect(parseReceiverMessage('501100 181234E12101001', { lineDigits: 3 }).ok).toBe(true)
    expect(parseReceiverMessage('501100 181234E12101001', { lineDigits: 1 })).toEqual({ ok: false, reason: 'line field has 3 digits, expected 1' })
  })

  it.each([
    ['', 'empty message'],
    ['5011 181234X12101001', 'malformed Contact ID message'],
    ['5011 181234E1210100', 'malformed Contact ID message'],
    ['5011 171234E12101001', 'malformed Contact ID message'],
    ['5011181234E12101001', 'malformed Contact ID message'],
    ['1234181131010159', 'Contact ID checksum mismatch'],
    ['81234E12101001', 'no protocol header (PRRL)'],
    ['zz5011 181234E12101001', 'Contact ID body without its 5RRL header'],
    ['01100 181234E12101001', 'Contact ID body without its 5RRL header'],
    // Printable noise in front of a garbled message: not protocol "Q", or the alarm is ACKed away.
    ['Q5011 181234X60201000', 'Contact ID body without its 5RRL header'],
    ['Z5011 181234E6020100G', 'Contact ID message with noise in front'],
  ])('garbled %j: %s', (text, reason) => {
    expect(parseReceiverMessage(text)).toEqual({ ok: false, reason })
  })

  it('passes another protocol through as unknown (acknowledged, not stalled)', () => {
    expect(parseReceiverMessage('2011 1234 BA01')).toEqual({ ok: true, value: { kind: 'unknown', protocol: '2' } })
    expect(parseReceiverMessage('S011 PRINTER ERROR')).toEqual({ ok: true, value: { kind: 'unknown', protocol: 'S' } })
  })

  it('accepts a panel line passed through, and NAKs one with a bad checksum', () => {
    expect(parseReceiverMessage('1234181131010158')).toMatchObject({ ok: true, value: { kind: 'panel-line' } })
    expect(parseReceiverMessage('1234181131010159').ok).toBe(false)
  })

  it('prints control bytes readably', () => {
    expect(printable(Buffer.from([0x35, 0x00, 0x14, 0xff]))).toBe('5<00><DC4><ff>')
  })
})

describe('receiver message parsing, property-style', () => {
  it('never throws on random printable text, and every event it accepts is written back identically', () => {
    let seed = 7
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
    const alphabet = '0123456789ABCDEF ERP518@#[|'
    let accepted = 0
    for (let i = 0; i < 20_000; i++) {
      // Half mutations of a real message, half random strings, so both paths are exercised.
      const base = '5011 181234E13101015'
      const text =
        rnd() < 0.5
          ? [...base].map((c) => (rnd() < 0.1 ? alphabet[Math.floor(rnd() * alphabet.length)]! : c)).join('')
          : Array.from({ length: Math.floor(rnd() * 30) }, () => alphabet[Math.floor(rnd() * alphabet.length)]!).join('')
      const r = parseReceiverMessage(text)
      if (r.ok && r.value.kind === 'event') {
        accepted++
        expect(formatReceiverEvent(r.value.receiver, r.value.line, r.value.event)).toBe(text)
      }
      if (r.ok && r.value.kind === 'panel-line') expect(encodePanelLine(r.value.event)).toBe(text)
    }
    expect(accepted).toBeGreaterThan(100)
  })
})
