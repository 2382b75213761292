import { describe, expect, it } from 'vitest'
import { ContactIdDeviceSchema } from '../../../adapters/contact-id/config.js'
import { createDecoder, decodeEvent } from '../../../adapters/contact-id/decode.js'
import { defaultCodeTable } from '../../../adapters/contact-id/event-codes.js'
import { parseReceiverMessage, type ContactIdEvent } from '../../../adapters/contact-id/codec.js'
import { isKnownType, defaultPriority } from '../../../base/events/types.js'

const cfg = ContactIdDeviceSchema.parse({
  id: 'receiver-1',
  adapter: 'contact-id',
  transport: '/dev/ttyUSB0',
  zones: { 15: { name: 'infrared beam, north fence', location: { building: '3', area: 'north fence' } } },
  accounts: { '5678': { name: 'Block B panel', location: { building: '7' }, zones: { '001': { name: 'lobby PIR', location: { unit: 'lobby' } } } } },
  codes: { '750': { type: 'intrusion', label: 'Fence vibration' }, '302': { type: 'battery.low', priority: 2 } },
})
const d = createDecoder(cfg)
const ev = (code: string, qualifier: 'E' | 'R' | 'P' = 'E', zone = '015', account = '1234'): ContactIdEvent => ({
  account,
  messageType: '18',
  qualifier,
  code,
  group: '01',
  zone,
})
const typeOf = (code: string, q: 'E' | 'R' | 'P' = 'E') => decodeEvent(ev(code, q), {}, 'x', d).type

describe('Contact ID decoding', () => {
  it("maps DC-05's own example to an intrusion in a named zone with its location", () => {
    const r = parseReceiverMessage('5011 181234E13101015')
    if (!r.ok || r.value.kind !== 'event') throw new Error('vector did not parse')
    const out = decodeEvent(r.value.event, { receiver: '01', line: '1' }, '5011 181234E13101015', d)
    expect(out).toEqual({
      type: 'intrusion',
      zone: 'infrared beam, north fence',
      location: { building: '3', area: 'north fence' },
      raw: '5011 181234E13101015',
      dedupeKey: 'cid:5011 181234E13101015',
      dedupeWindowMs: 60_000,
      dedupeScope: 'cid:01/1',
      attrs: { account: '1234', code: '131', qualifier: 'new', group: '01', zone: '015', description: 'Perimeter', receiver: '01', line: '1' },
    })
  })

  it.each([
    ['100', 'E', 'medical'],
    ['110', 'E', 'fire'],
    ['110', 'R', 'fire.restore'],
    ['120', 'E', 'panic'],
    ['121', 'E', 'duress'],
    ['121', 'R', 'duress.restore'],
    ['131', 'R', 'intrusion.restore'],
    ['137', 'E', 'tamper'],
    ['137', 'R', 'tamper.restore'],
    ['144', 'E', 'tamper'],
    ['151', 'E', 'gas'],
    ['154', 'E', 'environmental'],
    ['154', 'R', 'environmental.restore'],
    ['162', 'E', 'gas'],
    ['165', 'E', 'environmental'],
    ['200', 'E', 'supervisory'],
    ['301', 'E', 'power.lost'],
    ['301', 'R', 'power.restored'],
    ['302', 'E', 'battery.low'],
    ['302', 'R', 'battery.restored'],
    ['351', 'E', 'communication.trouble'],
    ['354', 'R', 'communication.restore'],
    ['381', 'E', 'supervisory'],
    ['383', 'E', 'tamper'],
    ['384', 'E', 'battery.low'],
    ['380', 'R', 'trouble.restore'],
    ['401', 'E', 'disarm'],
    ['401', 'R', 'arm'],
    ['441', 'R', 'arm'],
    ['406', 'E', 'alarm.cancel'],
    ['570', 'E', 'bypass'],
    ['570', 'R', 'bypass.restore'],
    ['601', 'E', 'test'],
    ['602', 'E', 'test'],
    ['131', 'P', 'intrusion'],
  ] as const)('code %s qualifier %s -> %s', (code, q, type) => {
    expect(typeOf(code, q)).toBe(type)
  })

  it('puts the user, not a zone, on open/close and duress', () => {
    const out = decodeEvent(ev('401', 'R', '007'), {}, 'x', d)
    expect(out.user).toBe('007')
    expect(out.zone).toBeUndefined()
    expect(out.attrs).toMatchObject({ description: 'Open/close by user', qualifier: 'restore' })
  })

  it('scopes retransmissions to the receiver line, or to the panel for its own line', () => {
    expect(decodeEvent(ev('130'), { receiver: '0A', line: '100' }, 'x', d).dedupeScope).toBe('cid:0A/100')
    expect(decodeEvent(ev('130'), {}, '1234181130010159', d)).toMatchObject({ dedupeScope: 'cid:panel', dedupeKey: 'cid:1234181130010159' })
  })

  it('keeps an unknown code as "other" with the raw code, never dropped', () => {
    const out = decodeEvent(ev('999'), {}, 'x', d)
    expect(out.type).toBe('other')
    expect(out.attrs).toMatchObject({ code: '999', description: 'Unknown Contact ID code 999' })
  })

  it('applies configured codes and overrides, keeping the built-in label when none is given', () => {
    expect(decodeEvent(ev('750'), {}, 'x', d)).toMatchObject({ type: 'intrusion', attrs: { description: 'Fence vibration' } })
    expect(decodeEvent(ev('302'), {}, 'x', d)).toMatchObject({ type: 'battery.low', priority: 2, attrs: { description: 'Low system battery' } })
  })

  it("takes an account's own zones and location before the device-wide zones", () => {
    const out = decodeEvent(ev('132', 'E', '001', '5678'), {}, 'x', d)
    expect(out).toMatchObject({ zone: 'lobby PIR', location: { building: '7', unit: 'lobby' }, attrs: { accountName: 'Block B panel' } })
    expect(decodeEvent(ev('132', 'E', '002', '5678'), {}, 'x', d)).toMatchObject({ zone: '002', location: { building: '7' } })
  })

  it("only maps to types in the alarm kind's closed list (every code, every qualifier)", () => {
    for (const code of defaultCodeTable().keys()) {
      for (const q of ['E', 'R', 'P'] as const) {
        const t = typeOf(code, q)
        expect(isKnownType('alarm', t), `${code}/${q} -> ${t}`).toBe(true)
      }
    }
  })

  it('gives life safety priority 1 and restores priority 4', () => {
    expect(defaultPriority('alarm', typeOf('110'))).toBe(1)
    expect(defaultPriority('alarm', typeOf('121'))).toBe(1)
    expect(defaultPriority('alarm', typeOf('121', 'R'))).toBe(4)
  })

  it('refuses a configured code that maps to a type outside the alarm kind', () => {
    const r = ContactIdDeviceSchema.safeParse({ id: 'r', adapter: 'contact-id', transport: 'tcp://h:1', codes: { '750': { type: 'door.forced' } } })
    expect(r.success).toBe(false)
  })
})
