import { describe, expect, it } from 'vitest'
import { OsdpBus } from '../../../adapters/osdp/bus.js'
import { OsdpFramer } from '../../../adapters/osdp/framer.js'
import type { LinkEvent, PdLink } from '../../../adapters/osdp/pd-link.js'
import type { DecodedFrame } from '../../../adapters/osdp/codec.js'
import { AccessBusModel } from '../../../simulators/access-reader/model.js'
import { link, unmark } from './bus-driver.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The bus scheduler wired to the simulated readers in memory, with real (short) timers. */
function rig(onEvents: (l: PdLink, e: LinkEvent[]) => Promise<void>) {
  const model = new AccessBusModel({ readers: [{ address: 0 }, { address: 1 }] })
  const links = [link(0, { pollIntervalMs: 5, replyTimeoutMs: 20 }), link(1, { pollIntervalMs: 5, replyTimeoutMs: 20 })]
  const framer = new OsdpFramer()
  let windowsClosed = 0
  const bus = new OsdpBus({
    links, replyTimeoutMs: 20, msPerByte: 0, now: Date.now, onEvents,
    write: async (bytes) => {
      const reply = model.handle(unmark(bytes), Date.now())
      if (reply) setImmediate(() => framer.write(reply))
    },
    onWindowClosed: () => windowsClosed++,
  })
  framer.on('data', (f: DecodedFrame) => bus.onFrame(f))
  return { model, links, bus, closed: () => windowsClosed }
}

describe('osdp bus scheduler', () => {
  it('holds a reader until its events are committed, polling the others meanwhile', async () => {
    let release: () => void = () => undefined
    const seen: LinkEvent[] = []
    const r = rig(async (_l, events) => {
      seen.push(...events)
      if (events.some((e) => e.type === 'card')) await new Promise<void>((res) => (release = res))
    })
    r.bus.start()
    await sleep(200)
    r.model.swipe(0, 'H10301', 1, 1)
    await sleep(100)
    expect(seen.some((e) => e.type === 'card')).toBe(true)
    const held0 = r.model.pd(0).counters.commands
    const other0 = r.model.pd(1).counters.commands
    await sleep(100)
    expect(r.model.pd(0).counters.commands).toBe(held0)
    expect(r.model.pd(1).counters.commands).toBeGreaterThan(other0 + 3)
    release()
    await sleep(100)
    expect(r.model.pd(0).counters.commands).toBeGreaterThan(held0)
    r.bus.stop()
  })

  it('closes the window on a silent reader and carries on with the other', async () => {
    const r = rig(async () => undefined)
    r.bus.start()
    await sleep(150)
    r.model.silence(1, Date.now(), 10_000)
    const c0 = r.model.pd(0).counters.commands
    await sleep(200)
    expect(r.closed()).toBeGreaterThan(2)
    expect(r.model.pd(0).counters.commands).toBeGreaterThan(c0 + 3)
    r.bus.stop()
  })

  it('answers queued commands offline when stopped', async () => {
    const r = rig(async () => undefined)
    r.bus.start()
    await sleep(150)
    r.bus.stop()
    const l = r.links[0]!
    const p = l.enqueue({ code: 0x68, data: Buffer.from([0, 5, 1, 0]) })
    r.bus.stop()
    await expect(p).resolves.toMatchObject({ status: 'offline' })
  })
})
