import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/contact-id/contact-id.json' with { type: 'json' }
import { ReceiverModel, type Transmission } from '../../../simulators/alarm-receiver/model.js'

const ACK = 0x06
const NAK = 0x15
const DUress = { account: '1234', qualifier: 'E' as const, code: '121', group: '01', zone: '001' }
const texts = (ts: Transmission[]) => ts.map((t) => `${t.what}:${t.bytes.toString('latin1')}`)

/** A model past its first heartbeat, so the line is free for messages. */
function ready(opts: ConstructorParameters<typeof ReceiverModel>[0] = {}) {
  const m = new ReceiverModel({ heartbeatMs: 30_000, ...opts }, 0)
  const hb = m.tick(0)
  expect(hb.at(-1)!.what).toBe('heartbeat')
  m.receive(ACK, 0)
  return m
}

describe('alarm receiver model', () => {
  it("writes the vectors' wire text in both formats", () => {
    const hbVector = vectors.receiver_messages.find((v) => v.heartbeat)!
    const m = new ReceiverModel({}, 0)
    expect(m.tick(0)[0]!.bytes.toString('hex')).toBe(hbVector.hex)
    expect(`${m.textOf(DUress)}\x14`).toBe(Buffer.from(vectors.receiver_messages[0]!.hex, 'hex').toString('latin1'))
    expect(`${new ReceiverModel({ line: '100' }, 0).textOf(DUress)}\x14`).toBe(Buffer.from(vectors.receiver_messages[1]!.hex, 'hex').toString('latin1'))
    const panel = new ReceiverModel({ format: 'panel' }, 0)
    expect(panel.textOf({ account: '1234', qualifier: 'E', code: '131', group: '01', zone: '015' })).toBe(vectors.contact_id_lines[0]!.line)
  })

  it('sends one message at a time and the next on ACK', () => {
    const m = ready()
    m.enqueue(DUress, { ...DUress, zone: '002' })
    expect(texts(m.tick(1))).toEqual(['event:5011 181234E12101001\x14'])
    expect(m.tick(2)).toEqual([])
    expect(texts(m.receive(ACK, 3))).toEqual(['event:5011 181234E12101002\x14'])
    m.receive(ACK, 4)
    expect(m.stats).toMatchObject({ delivered: 2, retransmissions: 0 })
    expect(m.deliveredTexts).toEqual(['5011 181234E12101001', '5011 181234E12101002'])
  })

  it('reports scheduled events at their times, in time order, as a panel re-alarming after its restore', () => {
    const m = ready()
    const beam = { account: '1234', qualifier: 'E' as const, code: '130', group: '01', zone: '015' }
    m.schedule(2000, beam)
    m.schedule(0, beam)
    m.schedule(1000, { ...beam, qualifier: 'R' })
    expect(texts(m.tick(0))).toEqual(['event:5011 181234E13001015\x14'])
    expect(m.awaiting).toBe('event')
    m.receive(ACK, 10)
    expect(m.awaiting).toBeUndefined()
    expect(m.nextWakeAt(10)).toBe(1000)
    expect(m.tick(999)).toEqual([])
    expect(texts(m.tick(1000))).toEqual(['event:5011 181234R13001015\x14'])
    m.receive(ACK, 1010)
    expect(m.nextWakeAt(1010)).toBe(2000)
    expect(texts(m.tick(2000))).toEqual(['event:5011 181234E13001015\x14'])
    m.receive(ACK, 2010)
    expect(m.deliveredTexts).toEqual(['5011 181234E13001015', '5011 181234R13001015', '5011 181234E13001015'])
  })

  it('garbles only the first try of a message hit on the line', () => {
    const m = ready()
    const fire = { ...DUress, code: '110' }
    m.corruptFirstTry(fire)
    m.enqueue(fire)
    expect(texts(m.tick(0))).toEqual(['garbled:5011 181234X11001001\x14'])
    expect(texts(m.receive(NAK, 10))).toEqual(['event:5011 181234E11001001\x14'])
  })

  it('repeats on NAK at once and on 4 s of silence, three times, then gives up and holds the message', () => {
    const m = ready()
    m.enqueue(DUress)
    m.tick(0)
    expect(m.receive(NAK, 100)[0]!.attempt).toBe(2)
    expect(m.tick(4099)).toEqual([])
    expect(m.tick(4100)[0]!.attempt).toBe(3)
    expect(m.tick(8100)[0]!.attempt).toBe(4)
    expect(m.tick(12_100)).toEqual([])
    expect(m.stats).toMatchObject({ gaveUp: 1, retransmissions: 3, naks: 1, timeouts: 3 })
    expect(m.linkUp).toBe(false)
    expect(m.pending).toBe(1)
    // Nothing but heartbeats until one is acknowledged. [MLR2E §9.2]
    expect(m.tick(20_000)).toEqual([])
    expect(texts(m.tick(30_000))[0]).toMatch(/^heartbeat:1011/)
    expect(texts(m.receive(ACK, 30_001))).toEqual(['event:5011 181234E12101001\x14'])
    m.receive(ACK, 30_002)
    expect(m.stats.delivered).toBe(1)
  })

  it('ignores an ACK nobody waits for', () => {
    const m = ready()
    m.receive(ACK, 1)
    expect(m.stats.unexpected).toBe(1)
  })

  it('draws the same random traffic from the same seed', () => {
    const run = (seed: number) => {
      const m = ready({ seed, randomEvents: { meanIntervalMs: 1000 } })
      const sent: string[] = []
      for (let t = 0; t < 60_000; t += 50) {
        // Every transmission is acknowledged, which may release the next one at once.
        for (let out = m.tick(t); out.length > 0; out = m.receive(ACK, t)) sent.push(...out.map((x) => x.bytes.toString('latin1')))
      }
      return sent
    }
    const a = run(5)
    expect(a.length).toBeGreaterThan(30)
    expect(run(5)).toEqual(a)
    expect(run(6)).not.toEqual(a)
  })

  it('injects noise without DC4, and garbled copies the host must refuse', () => {
    const m = ready({ noiseRate: 1, corruptRate: 1, seed: 3 })
    m.enqueue(DUress)
    const out = m.tick(1)
    expect(out.map((t) => t.what)).toEqual(['noise', 'garbled'])
    expect(out[0]!.bytes.includes(0x14)).toBe(false)
    expect(out[1]!.bytes.toString('latin1')).toBe('5011 181234X12101001\x14')
    const panel = ready({ format: 'panel', corruptRate: 1 })
    panel.enqueue({ account: '1234', qualifier: 'E', code: '131', group: '01', zone: '015' })
    expect(panel.tick(1)[0]!.bytes.toString('latin1')).toBe('1234181131010159\x14')
  })
})
