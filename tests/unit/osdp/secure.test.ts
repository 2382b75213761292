import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, macInput } from '../../../adapters/osdp/codec.js'
import * as C from '../../../adapters/osdp/commands.js'
import * as R from '../../../adapters/osdp/replies.js'
import {
  SCBK_D,
  clientCryptogram,
  computeMac,
  deriveSessionKeys,
  initialRmac,
  serverCryptogram,
  decryptData,
  pad80,
  unpad80,
} from '../../../adapters/osdp/secure.js'
import { SecureSession } from '../../../adapters/osdp/secure-session.js'
import { SESSIONS, hex } from './vectors.js'

const packet = (h: string) => decodeFrame(hex(h).subarray(1))

describe.each(SESSIONS.map((s, i) => [i, s] as const))('secure channel session vector %i', (_i, s) => {
  const keys = deriveSessionKeys(hex(s.scbk), hex(s.rnd_a))
  const rndA = hex(s.rnd_a)
  const rndB = hex(s.rnd_b)

  it('derives S-ENC, S-MAC1 and S-MAC2', () => {
    expect(keys.enc.toString('hex')).toBe(s.s_enc)
    expect(keys.mac1.toString('hex')).toBe(s.s_mac1)
    expect(keys.mac2.toString('hex')).toBe(s.s_mac2)
  })

  it('computes both cryptograms and RMAC-I as carried in CCRYPT, SCRYPT and RMAC_I', () => {
    const ccrypt = R.decodeCcrypt(packet(s.frames[1]!.hex).data)
    expect(ccrypt.cuid.toString('hex')).toBe(s.cuid)
    expect(ccrypt.rndB.toString('hex')).toBe(s.rnd_b)
    expect(clientCryptogram(keys, rndA, rndB).toString('hex')).toBe(ccrypt.clientCryptogram.toString('hex'))
    const sc = serverCryptogram(keys, rndA, rndB)
    expect(sc.toString('hex')).toBe(packet(s.frames[2]!.hex).data.toString('hex'))
    expect(initialRmac(keys, sc).toString('hex')).toBe(s.rmac_i)
    expect(R.decodeRmacI(packet(s.frames[3]!.hex).data).toString('hex')).toBe(s.rmac_i)
  })

  it('builds the handshake packets byte for byte', () => {
    const kk = s.scbk === SCBK_D.toString('hex') ? 0 : 1
    const chl = packet(s.frames[0]!.hex)
    const built = encodeFrame(
      { addr: s.address, reply: false, sqn: chl.sqn, useCrc: true, scb: { type: 0x11, data: Buffer.from([kk]) }, ...C.chlng(rndA) },
      { mark: true },
    )
    expect(built.toString('hex')).toBe(s.frames[0]!.hex)
    const scr = packet(s.frames[2]!.hex)
    const sc = serverCryptogram(keys, rndA, rndB)
    const built2 = encodeFrame(
      { addr: s.address, reply: false, sqn: scr.sqn, useCrc: true, scb: { type: 0x13, data: Buffer.from([kk]) }, ...C.scrypt(sc) },
      { mark: true },
    )
    expect(built2.toString('hex')).toBe(s.frames[2]!.hex)
  })

  it('reproduces every MAC-protected packet byte for byte from both ends of the chain', () => {
    const rmacI = hex(s.rmac_i)
    const cp = new SecureSession(keys, rmacI, 'cp')
    const pd = new SecureSession(keys, rmacI, 'pd')
    for (const v of s.frames.slice(4)) {
      const f = packet(v.hex)
      const sender = v.direction === 'cp->pd' ? cp : pd
      const receiver = v.direction === 'cp->pd' ? pd : cp
      const clear = v.plaintext === undefined ? f.data : hex(v.plaintext)
      const sealed = sender.seal({ addr: f.addr, reply: f.reply, sqn: f.sqn, useCrc: true, code: f.code, data: clear })
      expect(encodeFrame(sealed, { mark: true }).toString('hex'), v.name).toBe(v.hex)
      const opened = receiver.open(f)
      expect(opened, v.name).toEqual({ ok: true, data: clear })
    }
  })

  it('rejects a packet whose MAC is damaged and keeps the chain', () => {
    const rmacI = hex(s.rmac_i)
    const pd = new SecureSession(keys, rmacI, 'pd')
    const good = packet(s.frames[4]!.hex)
    const bad = decodeFrame(encodeFrame({ ...good, mac: Buffer.from([0, 0, 0, 0]) }))
    expect(pd.open(bad)).toEqual({ ok: false, reason: 'MAC mismatch' })
    expect(pd.open(good).ok).toBe(true)
  })

  it('rejects a clear packet during a session', () => {
    const pd = new SecureSession(keys, hex(s.rmac_i), 'pd')
    const clear = decodeFrame(encodeFrame({ addr: s.address, reply: false, sqn: 1, useCrc: true, ...C.poll() }))
    expect(pd.open(clear)).toMatchObject({ ok: false, reason: /clear/ })
  })
})

describe('secure channel helpers', () => {
  it('pads with 0x80 and strips it again', () => {
    expect(pad80(Buffer.alloc(16), false).length).toBe(16)
    expect(pad80(Buffer.alloc(16), true).length).toBe(32)
    expect(unpad80(pad80(Buffer.from('abc'), true))?.toString()).toBe('abc')
    expect(unpad80(Buffer.alloc(16))).toBeUndefined()
  })

  it('refuses ciphertext that is not whole blocks', () => {
    const keys = deriveSessionKeys(SCBK_D, Buffer.alloc(8))
    expect(decryptData(keys, Buffer.alloc(16), Buffer.alloc(15))).toBeUndefined()
  })

  it('MACs over more than one block (S-MAC1 then S-MAC2)', () => {
    const keys = deriveSessionKeys(SCBK_D, Buffer.alloc(8))
    const a = computeMac(keys, Buffer.alloc(16), Buffer.alloc(40, 1))
    const b = computeMac(keys, Buffer.alloc(16), Buffer.concat([Buffer.alloc(39, 1), Buffer.from([2])]))
    expect(a.equals(b)).toBe(false)
    expect(macInput(decodeFrame(encodeFrame({ addr: 1, reply: false, sqn: 1, useCrc: true, code: 0x60, data: Buffer.alloc(0) }))).length).toBe(6)
  })
})
