import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Timers } from '../../../base/timers.js'
import { OsdpBus } from '../../../adapters/osdp/bus.js'
import type { LinkEvent, PdLink } from '../../../adapters/osdp/pd-link.js'
import { AccessBusModel } from '../../../simulators/access-reader/model.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { link, unmark } from './bus-driver.js'

/** The process's timers looked up at each call, so the fake ones installed by each test reach the bus. */
const TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}
/** The simulated reader's turnaround: its reply reaches the bus this long after our write. */
const REPLY_AFTER_MS = 1

/** The bus scheduler wired to the simulated readers in memory, in fake time. */
function rig(onEvents: (l: PdLink, e: LinkEvent[]) => Promise<void>, opts: { msPerByte?: number; pollIntervalMs?: number } = {}) {
  const model = new AccessBusModel({ readers: [{ address: 0 }, { address: 1 }] })
  const timing = { pollIntervalMs: opts.pollIntervalMs ?? 5, replyTimeoutMs: 20 }
  const links = [link(0, timing), link(1, timing)]
  const written: Array<{ at: number; addr: number; bytes: number }> = []
  let windowsClosed = 0
  const bus = new OsdpBus({
    links,
    replyTimeoutMs: 20,
    msPerByte: opts.msPerByte ?? 0,
    timers: TIMERS,
    onEvents,
    write: async (bytes) => {
      const cmd = unmark(bytes)
      written.push({ at: Date.now(), addr: cmd.addr, bytes: bytes.length })
      const reply = model.handle(cmd, Date.now())
      if (reply) setTimeout(() => bus.onFrame(unmark(reply)), REPLY_AFTER_MS)
    },
    onWindowClosed: () => windowsClosed++,
  })
  return { model, links, bus, written, closed: () => windowsClosed }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('osdp bus scheduler (fake time)', () => {
  it('holds a reader until its events are committed, polling the others meanwhile', async () => {
    let release: () => void = () => undefined
    const seen: LinkEvent[] = []
    const r = rig(async (_l, events) => {
      seen.push(...events)
      if (events.some((e) => e.type === 'card')) await new Promise<void>((res) => (release = res))
    })
    r.bus.start()
    await vi.advanceTimersByTimeAsync(200)
    r.model.swipe(0, 'H10301', 1, 1)
    await vi.advanceTimersByTimeAsync(20)
    expect(seen.some((e) => e.type === 'card')).toBe(true)
    const held0 = r.model.pd(0).counters.commands
    const other0 = r.model.pd(1).counters.commands
    await vi.advanceTimersByTimeAsync(100)
    // Reader 0 hears nothing (its next command would tell it the card was taken); reader 1 is
    // polled every 5 ms all along.
    expect(r.model.pd(0).counters.commands).toBe(held0)
    expect(r.model.pd(1).counters.commands - other0).toBeGreaterThanOrEqual(15)
    release()
    await vi.advanceTimersByTimeAsync(10)
    expect(r.model.pd(0).counters.commands).toBeGreaterThan(held0)
    r.bus.stop()
  })

  it('closes the window on a silent reader after exactly the reply timeout, and carries on with the other', async () => {
    const r = rig(async () => undefined)
    r.bus.start()
    await vi.advanceTimersByTimeAsync(150)
    const silencedAt = Date.now()
    r.model.silence(1, silencedAt, 10_000)
    const c0 = r.model.pd(0).counters.commands
    // The next command to reader 1 goes out; its window closes 20 ms after the write, not before.
    const toSilent = () => r.written.find((w) => w.addr === 1 && w.at >= silencedAt)
    while (!toSilent()) await vi.advanceTimersByTimeAsync(1)
    const closed0 = r.closed()
    await vi.advanceTimersByTimeAsync(toSilent()!.at + 19 - Date.now())
    expect(r.closed()).toBe(closed0)
    await vi.advanceTimersByTimeAsync(1)
    expect(r.closed()).toBe(closed0 + 1)
    await vi.advanceTimersByTimeAsync(200)
    expect(r.closed()).toBeGreaterThan(closed0 + 2)
    expect(r.model.pd(0).counters.commands).toBeGreaterThan(c0 + 3)
    r.bus.stop()
  })

  it("counts the command's own line time into the reply window", async () => {
    // 9600 baud: about 1.04 ms a byte; a silent reader shows the window's length.
    const r = rig(async () => undefined, { msPerByte: 10_000 / 9600 })
    r.model.silence(0, Date.now(), 60_000)
    r.model.silence(1, Date.now(), 60_000)
    r.bus.start()
    const first = r.written[0]!
    const windowMs = 20 + Math.ceil(first.bytes * (10_000 / 9600))
    await vi.advanceTimersByTimeAsync(windowMs - 1)
    expect(r.closed()).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(r.closed()).toBe(1)
    r.bus.stop()
  })

  it('polls each reader once per poll interval, no faster', async () => {
    const r = rig(async () => undefined, { pollIntervalMs: 100 })
    r.bus.start()
    await vi.advanceTimersByTimeAsync(100)
    const polls = () => r.written.filter((w) => w.addr === 0).length
    const p0 = polls()
    await vi.advanceTimersByTimeAsync(1000)
    expect(polls() - p0).toBe(10)
    r.bus.stop()
  })

  it('answers queued commands offline when stopped', async () => {
    const r = rig(async () => undefined)
    r.bus.start()
    await vi.advanceTimersByTimeAsync(150)
    r.bus.stop()
    const p = r.links[0]!.enqueue({ code: 0x68, data: Buffer.from([0, 5, 1, 0]) })
    r.bus.stop()
    await expect(p).resolves.toMatchObject({ status: 'offline' })
  })
})

describe('osdp bus scheduler on a stalled host (manual timers)', () => {
  /** One reader whose replies the test hands to the bus itself: what sat unread while the gateway was stalled. */
  function stalledRig() {
    const timers = new ManualTimers(1_000_000)
    const model = new AccessBusModel({ readers: [{ address: 0 }] })
    const l = link(0, { replyTimeoutMs: 200 })
    const replies: Buffer[] = []
    let closed = 0
    const bus = new OsdpBus({
      links: [l],
      replyTimeoutMs: 200,
      msPerByte: 0,
      timers,
      onEvents: async () => undefined,
      write: async (bytes) => {
        const reply = model.handle(unmark(bytes), timers.now())
        if (reply) replies.push(reply)
      },
      onWindowClosed: () => closed++,
    })
    return { timers, model, link: l, bus, replies, closed: () => closed }
  }

  it('takes a reply that came in while the gateway was stalled past the window, instead of timing out and resending', async () => {
    const r = stalledRig()
    r.bus.start()
    await vi.waitFor(() => expect(r.replies).toHaveLength(1))
    // The reader answered at once, but the process was not running when the window ended: the
    // window's timer fires 300 ms late, before the port is read.
    await r.timers.nextDue()
    r.timers.advance(500)
    await r.timers.fireNext()
    expect(r.closed()).toBe(0)
    expect(r.bus.counters.lateWindows).toBe(1)
    r.bus.onFrame(unmark(r.replies.shift()!))
    expect(r.link.counters).toMatchObject({ timeouts: 0, retries: 0, replies: 1 })
    expect(r.model.pd(0).counters.repeats).toBe(0)
    r.bus.stop()
  })

  it('still closes the window on a silent reader after a stall, once the gateway has watched the line again', async () => {
    const r = stalledRig()
    r.model.silence(0, r.timers.now(), 60_000)
    r.bus.start()
    const due = await r.timers.nextDue()
    r.timers.advance(due - r.timers.now() + 500)
    await r.timers.fireNext()
    expect(r.closed()).toBe(0)
    // Given back one reply timeout (not the whole 500 ms stall); on time now, the window closes.
    expect(await r.timers.nextDue()).toBe(r.timers.now() + 200)
    await r.timers.fireNext()
    expect(r.closed()).toBe(1)
    expect(r.link.counters.timeouts).toBe(1)
    r.bus.stop()
  })
})
