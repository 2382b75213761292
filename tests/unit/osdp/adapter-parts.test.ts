import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCommand } from '../../../adapters/osdp/command.js'
import { OsdpDeviceSchema, type OsdpReaderConfig } from '../../../adapters/osdp/config.js'
import * as D from '../../../adapters/osdp/decode.js'
import { KeyStore } from '../../../adapters/osdp/key-store.js'
import { decodeWiegand } from '../../../adapters/osdp/wiegand.js'
import { ConfigError } from '../../../base/errors.js'
import { hex } from './vectors.js'

const reader = { address: 0, door: 'north-gate', name: 'North gate' } as OsdpReaderConfig
const card = decodeWiegand(hex('bd88eb80'), 26)
const cmd = (action: string, params: Record<string, unknown> = {}) => ({ id: 'c1', action, params })

describe('osdp events', () => {
  it('reports a card as a credential without an allow-list', () => {
    const ev = D.cardEvent(reader, card, D.decideCard(undefined, card, 'north-gate'), hex('5380'))
    expect(ev).toEqual({
      type: 'credential',
      zone: 'north-gate',
      attrs: { door: 'North gate', reader: 0, card: '4567', facility: 123, format: 'H10301', bits: 26 },
      raw: '5380',
    })
  })

  it('grants a listed card (matching facility and door) with its user, denies others', () => {
    const list = [{ card: '4567', facility: 123, user: 'resident-12', doors: ['north-gate'] }]
    const grant = D.cardEvent(reader, card, D.decideCard(list, card, 'north-gate'), hex('53'))
    expect(grant).toMatchObject({ type: 'access.granted', user: 'resident-12' })
    expect(D.decideCard(list, card, 'east-door')).toEqual({ kind: 'deny' })
    expect(D.decideCard([{ card: '4567', facility: 9 }], card, 'north-gate')).toEqual({ kind: 'deny' })
    expect(D.cardEvent(reader, card, { kind: 'deny' }, hex('53'))).toMatchObject({ type: 'access.denied', attrs: { reason: 'not on the local allow-list' } })
  })

  it('maps tamper and power transitions, and nothing when unchanged', () => {
    expect(D.localStatusEvents(reader, undefined, { tamper: true, powerLost: true }).map((e) => e.type)).toEqual(['tamper', 'power.lost'])
    expect(D.localStatusEvents(reader, { tamper: true, powerLost: true }, { tamper: false, powerLost: false }).map((e) => e.type)).toEqual([
      'tamper.restore',
      'power.restored',
    ])
    expect(D.localStatusEvents(reader, undefined, { tamper: false, powerLost: false })).toEqual([])
  })

  it('names the reader in a secure-channel failure, with the repeats counted since the last report', () => {
    expect(D.secureFailureEvent(reader, 'MAC mismatch')).toEqual({
      type: 'secure-channel.failure',
      zone: 'north-gate',
      attrs: { reader: 0, door: 'North gate', reason: 'MAC mismatch' },
    })
    expect(D.secureFailureEvent(reader, 'MAC mismatch', 41).attrs).toMatchObject({ repeats: 41 })
  })
})

describe('osdp commands', () => {
  const doors = ['north-gate', 'east-door']
  it('parses unlock, lock, led and buzzer', () => {
    expect(parseCommand(cmd('unlock', { door: 'east-door', durationMs: 5000 }), doors)).toEqual({
      ok: true,
      action: 'unlock',
      door: 'east-door',
      durationMs: 5000,
    })
    expect(parseCommand(cmd('lock', { door: 'east-door' }), doors)).toEqual({ ok: true, action: 'lock', door: 'east-door' })
    const led = parseCommand(cmd('led', { door: 'north-gate', color: 'Red', durationMs: 3000 }), doors)
    // Reader 0, LED 0: temporary steady red (on 1 s, off 0) for 30 x 100 ms; permanent untouched.
    expect(led.ok && 'payload' in led && led.payload.data.toString('hex')).toBe('0000020a0001001e000000000000')
    const buz = parseCommand(cmd('buzzer', { door: 'north-gate', count: 3 }), doors)
    expect(buz.ok && 'payload' in buz && buz.payload.data.toString('hex')).toBe('0002050503')
  })

  it('defaults the door on a single-reader bus and refuses what it cannot do', () => {
    expect(parseCommand(cmd('unlock'), ['only'])).toMatchObject({ ok: true, door: 'only' })
    expect(parseCommand(cmd('unlock'), doors)).toMatchObject({ ok: false, status: 'invalid' })
    expect(parseCommand(cmd('unlock', { door: 'x' }), doors)).toMatchObject({ ok: false, status: 'invalid' })
    expect(parseCommand(cmd('unlock', { door: 'east-door', durationMs: 5 }), doors)).toMatchObject({ ok: false, status: 'invalid' })
    expect(parseCommand(cmd('led', { door: 'east-door', color: 'plaid' }), doors)).toMatchObject({ ok: false, status: 'invalid' })
    expect(parseCommand(cmd('buzzer', { door: 'east-door', count: -1 }), doors)).toMatchObject({ ok: false, status: 'invalid' })
    expect(parseCommand(cmd('self-destruct', { door: 'east-door' }), doors)).toMatchObject({ ok: false, status: 'unsupported' })
  })
})

describe('osdp config', () => {
  const base = { id: 'bus-1', adapter: 'osdp', transport: '/dev/ttyUSB0', readers: [{ address: 0, door: 'a' }] }
  it('fills in the defaults of the spec (200 ms reply window, 8 s offline)', () => {
    const c = OsdpDeviceSchema.parse(base)
    expect(c).toMatchObject({ kind: 'access', replyTimeoutMs: 200, offlineAfterMs: 8000, installKey: '303132333435363738393a3b3c3d3e3f' })
    expect(c.readers[0]).toMatchObject({ secureChannel: false, strikeOutput: 0, strikePulseMs: 3000 })
  })

  it.each([
    [
      'duplicate addresses',
      {
        readers: [
          { address: 0, door: 'a' },
          { address: 0, door: 'b' },
        ],
      },
    ],
    [
      'duplicate doors',
      {
        readers: [
          { address: 0, door: 'a' },
          { address: 1, door: 'a' },
        ],
      },
    ],
    ['a secure reader without a key store', { readers: [{ address: 0, door: 'a', secureChannel: true }] }],
    ['the broadcast address', { readers: [{ address: 127, door: 'a' }] }],
    ['a short install key', { installKey: '0011' }],
  ])('refuses %s', (_n, over) => {
    expect(OsdpDeviceSchema.safeParse({ ...base, ...over }).success).toBe(false)
  })
})

describe('osdp key store', () => {
  const file = () => path.join(mkdtempSync(path.join(tmpdir(), 'osdp-ks-')), 'sub', 'keys.json')

  it('keeps a pending key, then the active one, in a 0600 file that a new instance reads back', () => {
    const p = file()
    const ks = new KeyStore(p)
    ks.setPending('bus:1', Buffer.alloc(16, 1))
    expect(statSync(p).mode & 0o777).toBe(0o600)
    expect(new KeyStore(p).get('bus:1')).toEqual({ pending: Buffer.alloc(16, 1) })
    ks.commit('bus:1', Buffer.alloc(16, 1))
    expect(new KeyStore(p).get('bus:1')).toEqual({ active: Buffer.alloc(16, 1) })
    expect(JSON.parse(readFileSync(p, 'utf8'))).toMatchObject({ version: 1 })
  })

  it('refuses a file that is not a key store, naming the fix', () => {
    const p = file()
    new KeyStore(p).commit('x', Buffer.alloc(16))
    chmodSync(p, 0o600)
    writeFileSync(p, '{"version":2}')
    expect(() => new KeyStore(p)).toThrow(ConfigError)
  })
})
