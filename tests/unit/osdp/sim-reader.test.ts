import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame } from '../../../adapters/osdp/codec.js'
import { packCard } from '../../../simulators/access-reader/cards.js'
import { AccessBusModel } from '../../../simulators/access-reader/model.js'
import * as P from '../../../simulators/access-reader/replies.js'
import { runLine } from '../../../simulators/access-reader/script.js'
import { CARDS, hex, plain } from './vectors.js'
import { unmark } from './bus-driver.js'

/** The reply payload of a vector frame, built by the simulator and framed as the vector was. */
const framed = (name: string, p: P.ReplyPayload): string => {
  const v = decodeFrame(plain(name))
  return encodeFrame({ ...v, code: p.code, data: p.data }).toString('hex')
}

describe('access-reader simulator, pinned by the vectors', () => {
  it.each(CARDS.map((c) => [`${c.format} ${c.facility}/${c.card}`, c] as const))('packs %s as in the vectors', (_n, c) => {
    const packed = packCard(c.format as 'H10301', c.facility, c.card)
    expect({ bits: packed.bits, hex: packed.data.toString('hex') }).toEqual({ bits: c.bits, hex: c.raw_hex })
  })

  it('builds PDID, RAW, ISTATR, LSTATR, KEYPAD and NAK payloads as in the vectors', () => {
    expect(framed('PDID', P.pdid({ vendor: hex('c3b2a1'), model: 2, version: 1, serial: 0x12345678, firmware: [1, 2, 3] }))).toBe(plain('PDID').toString('hex'))
    expect(framed('RAW card read', P.raw(0, 26, hex('bd88eb80')))).toBe(plain('RAW card read').toString('hex'))
    expect(framed('ISTATR', P.states(P.R.ISTATR, [true, false]))).toBe(plain('ISTATR').toString('hex'))
    expect(framed('LSTATR', P.lstatr(true, false))).toBe(plain('LSTATR').toString('hex'))
    expect(framed('KEYPAD', P.keypad(0, '12*#'))).toBe(plain('KEYPAD').toString('hex'))
    expect(framed('NAK 0x04', P.nak(4))).toBe(plain('NAK 0x04').toString('hex'))
    const caps = decodeFrame(plain('PDCAP')).data
    const triples: Array<[number, number, number]> = []
    for (let i = 0; i < caps.length; i += 3) triples.push([caps[i]!, caps[i + 1]!, caps[i + 2]!])
    expect(framed('PDCAP', P.pdcap(triples))).toBe(plain('PDCAP').toString('hex'))
  })

  it('answers the POLL and ID vectors with the ACK and PDID vectors', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const id = model.handle(decodeFrame(plain('ID to addr 0')), 0)!
    expect(id.subarray(1).toString('hex')).toBe(plain('PDID').toString('hex'))
    model.pd(0).handle(decodeFrame(plain('ID to addr 0')), 0)
    const ack = model.handle(decodeFrame(plain('POLL to addr 0')), 0)!
    expect(unmark(ack).code).toBe(0x4a) // first POLL reports the outputs it never reported
    // The same POLL again (same sequence number) is a resend: the cached reply comes back.
    expect(model.handle(decodeFrame(plain('POLL to addr 0')), 0)!.equals(ack)).toBe(true)
  })

  it('pulses the strike for the OUT vector and shows red for the LED vector', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const pd = model.pd(0)
    const send = (name: string, sqn: number, at: number) => model.handle({ ...decodeFrame(plain(name)), sqn }, at)
    send('ID to addr 0', 0, 0)
    send('OUT', 1, 1000)
    expect(model.strikeOn(0, 1000 + 2999)).toBe(true)
    expect(model.strikeOn(0, 1000 + 3000)).toBe(false)
    send('LED', 2, 1000)
    expect(pd.ledColor(0, 1000 + 100)).toBe(1)
    expect(pd.ledColor(0, 1000 + 3000)).toBe(0)
    send('BUZ', 3, 1000)
    expect(pd.buzzer).toEqual({ tone: 2, count: 1, at: 1000 })
  })

  it('stays silent to other addresses and to replies', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    expect(model.handle(decodeFrame(plain('NAK 0x04')), 0)).toBeUndefined()
    expect(model.handle({ ...decodeFrame(plain('POLL to addr 0')), addr: 9 }, 0)).toBeUndefined()
    expect(() => new AccessBusModel({ readers: [{ address: 1 }, { address: 1 }] })).toThrow(RangeError)
  })

  it('takes its stdin commands: swipe, keys, door, tamper, power, busy, nak, silence, restart, status', () => {
    const model = new AccessBusModel({ readers: [{ address: 0, contactInput: 1 }] })
    expect(runLine(model, 'swipe 0 H10304 4321 300000', 0)).toBe('reader 0: H10304 4321/300000 swiped')
    runLine(model, 'door 0 open', 0)
    expect(model.pd(0).inputs).toEqual([false, true])
    runLine(model, 'tamper 0 on', 0)
    runLine(model, 'power 0 lost', 0)
    expect(model.pd(0)).toMatchObject({ tamper: true, powerLost: true })
    runLine(model, 'busy 0 2', 0)
    runLine(model, 'nak 0 9', 0)
    runLine(model, 'silence 0 5000', 100)
    runLine(model, 'refuse-out 0 on', 0)
    runLine(model, 'corrupt-mac 0 always', 0)
    runLine(model, 'require-secure 0 on', 0)
    model.pd(0).scbk = Buffer.alloc(16, 1)
    expect(runLine(model, 'factory-reset 0', 0)).toMatch(/factory keys/)
    expect(model.pd(0).scbk).toBeUndefined()
    expect(model.pd(0)).toMatchObject({ busyCount: 2, nakNext: 9, silentUntil: 5100, refuseOutputs: true, corruptEveryMac: true, requireSecure: true })
    expect(runLine(model, 'status', 0)).toMatch(/^reader 0: strike off/)
    expect(() => runLine(model, 'swipe 0 H99999 1 1', 0)).toThrow(/usage/)
    expect(() => runLine(model, 'fly 0', 0)).toThrow(/unknown command/)
    expect(runLine(model, '   ', 0)).toBe('')
  })
})
