import { describe, expect, it } from 'vitest'
import * as C from '../../../adapters/osdp/commands.js'
import { AccessBusModel } from '../../../simulators/access-reader/model.js'
import { encodeFrame } from '../../../adapters/osdp/codec.js'
import { VirtualBus, flipMac, keyStore, link, unmark } from './bus-driver.js'

const START = [0x61, 0x62, 0x64, 0x65, 0x66]
const secureBus = (seed = 7) => new AccessBusModel({ seed, readers: [{ address: 1, requireSecure: true }] })

describe('osdp PD link against the simulated reader', () => {
  it('starts with ID, CAP, LSTAT, ISTAT, OSTAT at sequence 0,1,2,3,1 then polls, cycling 2,3,1', () => {
    const bus = new VirtualBus([link(0)], new AccessBusModel({ readers: [{ address: 0 }] }))
    bus.run(1000)
    expect(bus.codes(0).slice(0, 6)).toEqual([...START, 0x60])
    expect(bus.sent.slice(0, 9).map((f) => f.sqn)).toEqual([0, 1, 2, 3, 1, 2, 3, 1, 2])
    expect(bus.events('identity')[0]?.event).toMatchObject({ id: { serial: 0x12345678, firmware: '1.2.3' } })
    expect(bus.events('online')[0]?.event).toEqual({ type: 'online', secure: false, first: true })
    expect(bus.events('capabilities')).toHaveLength(1)
  })

  it('talks to an old reader in checksum mode, and the reader answers in kind', () => {
    const model = new AccessBusModel({ readers: [{ address: 4 }] })
    const bus = new VirtualBus([link(4, { useCrc: false })], model)
    bus.run(1000)
    expect(bus.events('online')).toHaveLength(1)
    expect(bus.sent.every((f) => !f.useCrc)).toBe(true)
  })

  it('polls several readers on one bus, each well inside its offline window', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }, { address: 1 }, { address: 2 }] })
    const bus = new VirtualBus([link(0), link(1), link(2)], model)
    bus.run(3000)
    for (const a of [0, 1, 2]) expect(bus.codes(a).filter((c) => c === 0x60).length).toBeGreaterThan(10)
  })

  it.each([
    ['H10301', 123, 4567],
    ['H10306', 1234, 56789],
    ['C1000-35', 2345, 678901],
    ['H10304', 4321, 300000],
  ] as const)('reports a %s swipe with facility and card number', (format, facility, card) => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const bus = new VirtualBus([link(0)], model)
    bus.run(500)
    model.swipe(0, format, facility, card)
    bus.run(300)
    expect(bus.events('card')[0]?.event).toMatchObject({ type: 'card', reader: 0, card: { format, facility, card: String(card) } })
  })

  it('reports keypad keys with * and #', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const bus = new VirtualBus([link(0)], model)
    bus.run(500)
    model.keypad(0, '1234#')
    bus.run(300)
    expect(bus.events('keypad')[0]?.event).toMatchObject({ keys: '1234#' })
  })

  it('resends a command whose reply was lost with the same number and bytes; the reader answers from its cache', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const bus = new VirtualBus([link(0)], model)
    bus.run(500)
    let drop = 1
    bus.tamper = (r) => (drop-- > 0 ? undefined : r)
    const before = bus.sent.length
    bus.run(500)
    const [lost, resent] = bus.sent.slice(before, before + 2)
    expect(resent?.raw.equals(lost!.raw)).toBe(true)
    expect(model.pd(0).counters.repeats).toBe(1)
    expect(bus.events('offline')).toHaveLength(0)
  })

  it('goes offline after about 8 s of silence, keeps retrying, and runs the start sequence when the reader returns', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const l = link(0)
    const bus = new VirtualBus([l], model)
    bus.run(1000)
    const silentFrom = bus.now
    model.silence(0, bus.now, 15_000)
    bus.run(20_000)
    const off = bus.events('offline')
    expect(off).toHaveLength(1)
    expect(off[0]!.at - silentFrom).toBeGreaterThanOrEqual(8000)
    expect(off[0]!.at - silentFrom).toBeLessThan(8500)
    const back = bus.events('online').at(-1)!
    expect(back.event).toMatchObject({ first: false })
    expect(back.at - (silentFrom + 15_000)).toBeLessThan(1500)
    // Retried while offline (one ID at sequence 0 per reconnect interval), then the full start.
    const attempts = bus.sent.filter((f) => f.code === 0x61)
    expect(attempts.length).toBeGreaterThan(4)
    expect(attempts.every((f) => f.sqn === 0)).toBe(true)
    const codes = bus.codes(0)
    const lastId = codes.lastIndexOf(0x61)
    expect(codes.slice(lastId, lastId + 6)).toEqual([...START, 0x60])
    expect(l.counters.timeouts).toBeGreaterThan(30)
  })

  it('reports a reader that never answers as offline once, about 8 s after start', () => {
    const bus = new VirtualBus([link(5)], new AccessBusModel({ readers: [{ address: 0 }] }))
    bus.run(20_000)
    expect(bus.events('offline')).toHaveLength(1)
  })

  it('repeats a command the reader answered BUSY to, same sequence number', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const l = link(0)
    const bus = new VirtualBus([l], model)
    bus.run(500)
    model.busy(0, 2)
    const p = l.enqueue(C.pulse(0, 3000))
    bus.run(500)
    expect(l.counters.busy).toBe(2)
    expect(model.strikeOn(0, bus.now)).toBe(true)
    return expect(p).resolves.toEqual({ status: 'ok' })
  })

  it('refuses a command the reader NAKs, with the decoded reason', async () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const l = link(0)
    const bus = new VirtualBus([l], model)
    bus.run(500)
    model.nak(0, 0x09)
    const p = l.enqueue(C.pulse(0, 1000))
    bus.run(300)
    await expect(p).resolves.toEqual({ status: 'refused', reason: 'unable to process command record' })
    expect(bus.events('nak')[0]?.event).toMatchObject({ command: 'OUT', nak: { code: 9 } })
  })

  it('starts over at sequence 0 after a sequence NAK (reader restarted)', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const bus = new VirtualBus([link(0)], model)
    bus.run(500)
    model.restart(0)
    bus.run(500)
    expect(bus.codes(0).filter((c) => c === 0x61)).toHaveLength(2)
    expect(bus.events('offline')).toHaveLength(0)
  })

  it('ignores a late reply with an old sequence number and keeps waiting for the real one', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const l = link(0)
    const bus = new VirtualBus([l], model)
    bus.run(500)
    const cmd = unmark(l.next(bus.now + 200)!)
    const stale = encodeFrame({ addr: 0, reply: true, sqn: cmd.sqn === 1 ? 3 : cmd.sqn - 1, useCrc: true, code: 0x40, data: Buffer.alloc(0) })
    expect(l.onReply(unmark(stale), bus.now + 201)).toEqual([{ type: 'bad-reply', reason: expect.stringMatching(/sequence number/) }])
    expect(l.awaitingReply).toBe(true)
    l.onReply(unmark(model.handle(cmd, bus.now + 202)!), bus.now + 202)
    expect(l.awaitingReply).toBe(false)
  })

  it('answers commands for an offline reader at once', async () => {
    const l = link(3)
    await expect(l.enqueue(C.poll())).resolves.toMatchObject({ status: 'offline' })
  })
})

describe('osdp PD link secure channel', () => {
  it('sets up a session under the install key, installs a new key with KEYSET, never speaks in the clear', () => {
    const keys = keyStore()
    const model = secureBus()
    const bus = new VirtualBus([link(1, { secure: true, keys, keyName: 'r1' })], model)
    bus.run(1000)
    // KEYSET ends the reader's session: a new handshake under the new key (kk = 1) follows it.
    expect(bus.codes(1).slice(0, 6)).toEqual([0x76, 0x77, 0x75, 0x76, 0x77, 0x61])
    expect(bus.sent[0]!.scb?.data[0]).toBe(0)
    expect(bus.sent[3]!.scb?.data[0]).toBe(1)
    expect(model.pd(1).counters.naks).toEqual({})
    expect(bus.events('keyset')).toHaveLength(1)
    expect(bus.events('online')[0]?.event).toMatchObject({ secure: true })
    expect(keys.get('r1').active?.equals(model.pd(1).scbk!)).toBe(true)
    expect(
      bus.sent
        .slice(2)
        .filter((f) => f.code !== 0x76 && f.code !== 0x77)
        .every((f) => f.scb && f.mac),
    ).toBe(true)
    expect(model.pd(1).counters).toMatchObject({ clearCommands: 0, macFailures: 0, keysets: 1 })
  })

  it('re-establishes the session under the installed key after the reader restarts', () => {
    const keys = keyStore()
    const model = secureBus()
    const bus = new VirtualBus([link(1, { secure: true, keys, keyName: 'r1' })], model)
    bus.run(1000)
    model.restart(1)
    bus.run(1000)
    // Install key, then the new key after KEYSET, then the new key again after the restart.
    const chlngs = bus.sent.filter((f) => f.code === 0x76)
    expect(chlngs.map((f) => f.scb?.data[0])).toEqual([0, 1, 1])
    expect(model.pd(1).counters).toMatchObject({ clearCommands: 0, keysets: 1 })
    model.swipe(1, 'H10301', 1, 1)
    bus.run(300)
    expect(bus.events('card')).toHaveLength(1)
    expect(bus.events('offline')).toHaveLength(0)
  })

  it('reports a reader whose key we do not hold and never talks to it in the clear', () => {
    const keys = keyStore()
    keys.commit('r1', Buffer.alloc(16, 0xaa))
    const model = new AccessBusModel({ seed: 3, readers: [{ address: 1, requireSecure: true, scbk: Buffer.alloc(16, 0xbb) }] })
    const bus = new VirtualBus([link(1, { secure: true, keys, keyName: 'r1' })], model)
    bus.run(3000)
    expect(bus.events('secure-failure').length).toBeGreaterThan(0)
    expect(bus.events('secure-failure')[0]?.event).toMatchObject({ reason: /matches none of the keys/ })
    expect(bus.events('fault')[0]?.event).toMatchObject({ cause: 'unknown-key' })
    expect(bus.events('online')).toHaveLength(0)
    expect(model.pd(1).counters.clearCommands).toBe(0)
  })

  it('treats a MAC failure as a secure-channel failure and sets up a new session', () => {
    const model = secureBus()
    const bus = new VirtualBus([link(1, { secure: true, keyName: 'r1' })], model)
    bus.run(1000)
    let once = true
    bus.tamper = (r) => {
      if (!once || r.length <= 12) return r
      once = false
      return flipMac(r)
    }
    bus.run(1000)
    expect(bus.events('secure-failure')[0]?.event).toMatchObject({ reason: 'MAC mismatch' })
    // Install key, new key after KEYSET, and one more after the MAC failure.
    expect(bus.sent.filter((f) => f.code === 0x76).length).toBe(3)
    expect(bus.events('offline')).toHaveLength(0)
  })

  it('uses the stored key when the KEYSET was acknowledged but not seen, recovering the pending key', () => {
    const keys = keyStore()
    const model = secureBus()
    const bus = new VirtualBus([link(1, { secure: true, keys, keyName: 'r1' })], model)
    // The reader takes the new key, its ACK is lost and it restarts before our resend.
    let n = 0
    bus.tamper = (r) => {
      if (++n !== 3) return r
      model.restart(1)
      return undefined
    }
    bus.run(250)
    bus.tamper = undefined
    expect(keys.get('r1').pending).toBeDefined()
    expect(keys.get('r1').active).toBeUndefined()
    bus.run(3000)
    expect(keys.get('r1').active?.equals(model.pd(1).scbk!)).toBe(true)
    expect(bus.events('online')).toHaveLength(1)
  })
})

describe('osdp PD link: a reader that keeps refusing', () => {
  const KEY = Buffer.alloc(16, 0x42)
  /** A reader that talks only inside a secure channel, and a link configured without it. */
  const enforcing = () => new AccessBusModel({ readers: [{ address: 0, requireSecure: true, scbk: KEY }] })
  /** When each start-up began (ID sent), in virtual ms from the first. */
  const attempts = (bus: VirtualBus, code = 0x61): number[] => {
    const at = bus.sent.flatMap((f, i) => (f.code === code ? [bus.sentAt[i]!] : []))
    return at.map((t) => t - at[0]!)
  }

  it('backs off, reports what to change once, and is not online: refusals are not answers', () => {
    const model = enforcing()
    const bus = new VirtualBus([link(0)], model)
    bus.run(60_000)
    // ID and CAP are answered in the clear, LSTAT is refused (NAK 0x06): the start-up restarts.
    expect(model.pd(0).counters.naks).toEqual({ '06': attempts(bus).length })
    const gaps = attempts(bus)
      .slice(1)
      .map((t, i, a) => t - (i === 0 ? 0 : a[i - 1]!))
    // Once at once (a glitch), then 1 s, 2 s, 4 s ... up to 30 s between attempts.
    expect(gaps[0]).toBeLessThan(50)
    expect(gaps.slice(1, 4).map((g) => Math.round(g / 1000))).toEqual([1, 2, 4])
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000 + 50)
    expect(attempts(bus).length).toBeLessThan(12)
    expect(bus.events('fault')).toHaveLength(1)
    expect(bus.events('fault')[0]!.event).toEqual({
      type: 'fault',
      cause: 'needs-secure-channel',
      detail: 'LSTAT refused with NAK 0x06: encrypted communication required (communication security conditions not met)',
    })
    expect(bus.events('online')).toHaveLength(0)
    const off = bus.events('offline')
    expect(off).toHaveLength(1)
    expect(off[0]!.at - bus.sentAt[0]!).toBeGreaterThanOrEqual(8000)
    expect(off[0]!.at - bus.sentAt[0]!).toBeLessThan(8500)
    expect(off[0]!.event).toMatchObject({ reason: expect.stringMatching(/NAK 0x06/) })
  })

  it('a reply lost at the offline deadline: offline saying what the reader refused, not only that it fell silent', () => {
    const model = enforcing()
    const bus = new VirtualBus([link(0)], model)
    // The last attempt runs at the deadline; its first reply is lost (a noisy line, a loaded host).
    bus.tamper = (r) => (bus.now - bus.sentAt[0]! >= 8000 ? undefined : r)
    bus.run(9000)
    const off = bus.events('offline')
    expect(off).toHaveLength(1)
    expect(off[0]!.event).toMatchObject({ reason: expect.stringMatching(/^no answer but refusals for \d+ ms, then no reply: LSTAT refused with NAK 0x06/) })
  })

  it('comes back online when the reader stops refusing, and says the fault is over', () => {
    const model = enforcing()
    const bus = new VirtualBus([link(0, { refusedRetryMaxMs: 4000 })], model)
    bus.run(20_000)
    model.requireSecure(0, false)
    bus.run(5000)
    expect(bus.events('recovered')).toEqual([expect.objectContaining({ event: expect.objectContaining({ fault: true }) })])
    expect(bus.events('online')).toHaveLength(1)
    expect(bus.events('fault')).toHaveLength(1)
  })

  it('a reader whose every MAC fails: one fault, and backing off instead of a handshake loop', () => {
    const model = secureBus()
    const bus = new VirtualBus([link(1, { secure: true, keyName: 'r1' })], model)
    bus.run(1000)
    model.corruptMac(1, true)
    bus.run(20_000)
    expect(bus.events('secure-failure').length).toBeGreaterThan(1)
    expect(bus.events('fault')).toEqual([expect.objectContaining({ event: { type: 'fault', cause: 'secure-channel', detail: 'MAC mismatch' } })])
    expect(attempts(bus, 0x76).length).toBeLessThan(12)
    expect(bus.events('offline')).toHaveLength(1)
  })

  it('a single refusal (the reader restarted) is retried at once and is no fault', () => {
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const bus = new VirtualBus([link(0)], model)
    bus.run(500)
    model.restart(0)
    bus.run(500)
    expect(bus.events('fault')).toHaveLength(0)
    expect(bus.events('recovered')).toEqual([expect.objectContaining({ event: { type: 'recovered', failures: 1, fault: false } })])
  })
})
