import { afterEach, describe, expect, it, vi } from 'vitest'
import { ModbusBus } from '../../../adapters/modbus/bus.js'
import { ModbusTimeoutError, interFrameDelayMs, type BusLink } from '../../../adapters/modbus/transaction.js'
import { ModbusException } from '../../../adapters/modbus/codec.js'
import { RtuFramer } from '../../../adapters/modbus/framer.js'
import { TransportError } from '../../../base/errors.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { captureLog } from '../../helpers/logs.js'
import { globalTimers, useFakeClock } from './fake-clock.js'

afterEach(() => {
  vi.useRealTimers()
})

/**
 * The bus against the simulator model through an in-process byte pipe: requests are framed by the
 * slave framer and answered by the model after `replyMs`, as over a link with no line timing.
 */
function rig(replyMs = 1, opts: { failWrites?: boolean } = {}) {
  const model = new ParkingBusModel(
    [
      { unit: 1, type: 'lock' },
      { unit: 2, type: 'lock' },
      { unit: 3, type: 'sensor' },
    ],
    { now: () => Date.now(), travelMs: 50 },
  )
  const wire: { at: number; unit: number; fc: number }[] = []
  let outstanding = 0
  let overlaps = 0
  const slave = new RtuFramer({ role: 'slave' })
  const link: BusLink = {
    async write(b) {
      if (opts.failWrites) throw new TransportError('port unplugged')
      if (outstanding > 0) overlaps++
      wire.push({ at: Date.now(), unit: b[0] as number, fc: b[1] as number })
      slave.write(b)
    },
  }
  const bus = new ModbusBus({ log: captureLog().log, link, turnaroundMs: 20, timers: globalTimers })
  slave.on('data', (req: Buffer) => {
    const reply = model.handle(req)
    if (reply === null) return
    outstanding++
    setTimeout(() => {
      outstanding--
      bus.onData(reply)
    }, replyMs)
  })
  return { model, bus, wire, overlaps: () => overlaps }
}

/** When (fake ms after t0) and how a transaction settled. */
async function settledAt<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number; t0: number }> {
  const t0 = Date.now()
  try {
    const value = await p
    return { value, ms: Date.now() - t0, t0 }
  } catch (error) {
    return { error, ms: Date.now() - t0, t0 }
  }
}

const read = (unit: number) => ({ unit, fc: 3 as const, address: 0, quantity: 6 })
const POLL = { timeoutMs: 100, retries: 1, priority: 'poll' as const }
const COMMAND = { ...POLL, priority: 'command' as const }

describe('ModbusBus', () => {
  it('keeps one request on the wire at a time', async () => {
    const { bus, wire, overlaps } = rig(3)
    await Promise.all([1, 2, 1, 2, 1, 2].map((u) => bus.transact(read(u), POLL)))
    expect(wire.map((w) => w.unit)).toEqual([1, 2, 1, 2, 1, 2])
    expect(overlaps()).toBe(0)
  })

  it('puts a command ahead of queued polls, behind the transaction in progress', async () => {
    const { bus, wire } = rig(5)
    const polls = [read(1), read(2), { unit: 3, fc: 4 as const, address: 0, quantity: 4 }].map((r) => bus.transact(r, POLL))
    const cmd = bus.transact({ unit: 2, fc: 6, address: 1, value: 1 }, COMMAND)
    await Promise.all([...polls, cmd])
    expect(wire.map((w) => `${w.unit}/${w.fc}`)).toEqual(['1/3', '2/6', '2/3', '3/4'])
  })

  it('decodes the reply', async () => {
    const { bus } = rig()
    const r = await bus.transact(read(1), POLL)
    expect(r?.res).toEqual({ unit: 1, fc: 3, registers: [0, 0, 0, 1260, 0, 0] })
  })

  it('a broadcast gets no reply: resolves null after the turnaround, and every lock acts', async () => {
    useFakeClock()
    const { bus, model } = rig()
    model.lock(1).position = 3
    model.lock(2).position = 3
    const t0 = Date.now()
    const done = settledAt(bus.transact({ unit: 0, fc: 5, address: 0, value: true }, COMMAND))
    await vi.advanceTimersByTimeAsync(100)
    expect(await done).toEqual({ value: null, ms: 20, t0 })
    expect([model.lock(1).position, model.lock(2).position]).toEqual([0, 0])
  })

  it('a silent unit: every retry goes out, then ModbusTimeoutError; the next unit is served', async () => {
    useFakeClock()
    const { bus, model, wire } = rig()
    model.setSilent(2, true)
    const t0 = Date.now()
    const dead = settledAt(bus.transact(read(2), { ...POLL, retries: 2 }))
    const alive = settledAt(bus.transact(read(1), POLL))
    await vi.advanceTimersByTimeAsync(2000)
    const d = await dead
    expect(d.error).toBeInstanceOf(ModbusTimeoutError)
    expect(String(d.error)).toMatch(/unit 2 did not answer within 100 ms \(3 attempts\)/)
    // Each attempt waits its 100 ms timeout, then 100 ms of quiet line before the next. [SL §2.5.1.1]
    expect(d.ms).toBe(600)
    expect((await alive).value).toBeTruthy()
    expect(wire.map((w) => w.unit)).toEqual([2, 2, 2, 1])
    expect(wire.map((w) => w.at - t0)).toEqual([0, 200, 400, 600])
    expect(bus.stats).toMatchObject({ timeouts: 1, retries: 2 })
    // Each unit's share, for its adapter's health(): the dead unit's timeout is not the live one's.
    expect(bus.linkOf(2)).toEqual({ frames: 0, retries: 2, crcErrors: 0, timeouts: 1, droppedBytes: 0 })
    expect(bus.linkOf(1)).toEqual({ frames: 1, retries: 0, crcErrors: 0, timeouts: 0, droppedBytes: 0 })
  })

  it('an exception reply rejects with ModbusException at once', async () => {
    const { bus } = rig()
    await expect(bus.transact({ unit: 1, fc: 3, address: 0, quantity: 7 }, POLL)).rejects.toThrow(ModbusException)
    await expect(bus.transact({ unit: 1, fc: 3, address: 0, quantity: 7 }, POLL)).rejects.toThrow(/illegal data address/)
    expect(bus.stats.exceptions).toBe(2)
  })

  it('a corrupted reply is resent at once, not after the timeout', async () => {
    useFakeClock()
    const { bus, model, wire } = rig(5)
    model.corruptNext(1)
    const t0 = Date.now()
    const done = settledAt(bus.transact(read(1), { ...POLL, timeoutMs: 1000 }))
    await vi.advanceTimersByTimeAsync(2000)
    // Two round trips of 5 ms: the resend followed the bad reply, not the 1000 ms timeout.
    expect(await done).toMatchObject({ ms: 10, t0 })
    expect(wire.map((w) => w.at - t0)).toEqual([0, 5])
    expect(bus.framer.stats.badCrc).toBe(1)
    expect(bus.linkOf(1)).toMatchObject({ frames: 1, retries: 1, crcErrors: 1, timeouts: 0, droppedBytes: bus.framer.stats.droppedBytes })
    expect(bus.linkOf(1).droppedBytes).toBeGreaterThan(0)
  })

  it('replies that all fail their CRC: the error says so, not just "did not answer"', async () => {
    const { bus, model } = rig()
    model.corruptNext(2)
    await expect(bus.transact(read(1), POLL)).rejects.toThrow(/2 attempts; 2 replies had a bad CRC/)
  })

  it('a late reply to a timed-out request does not answer the next one', async () => {
    const { bus } = rig(150)
    await expect(bus.transact(read(1), { ...POLL, retries: 0 })).rejects.toBeInstanceOf(ModbusTimeoutError)
    // Unit 1's late reply arrives while unit 3 is being asked: it is not taken for unit 3's.
    const next = bus.transact({ unit: 3, fc: 4, address: 0, quantity: 4 }, { ...POLL, timeoutMs: 400 })
    const r = await next
    expect(r?.res.unit).toBe(3)
  })

  it('a link that cannot write fails the request at once with a TransportError', async () => {
    useFakeClock()
    const { bus } = rig(1, { failWrites: true })
    const t0 = Date.now()
    const done = settledAt(bus.transact(read(1), POLL))
    await vi.advanceTimersByTimeAsync(1000)
    expect(await done).toMatchObject({ error: expect.any(TransportError), ms: 0, t0 })
  })

  it('close fails what is queued; later requests are refused', async () => {
    const { bus } = rig(20)
    const a = bus.transact(read(1), POLL)
    const b = bus.transact(read(2), POLL)
    bus.close()
    await expect(a).rejects.toThrow(/closed/)
    await expect(b).rejects.toThrow(/closed/)
    await expect(bus.transact(read(1), POLL)).rejects.toThrow(/closed/)
  })

  it('t3.5 is 3.5 characters of 11 bits up to 19200 baud, 1.75 ms above', () => {
    expect(interFrameDelayMs(9600)).toBeCloseTo(4.01, 2)
    expect(interFrameDelayMs(19_200)).toBeCloseTo(2.005, 2)
    expect(interFrameDelayMs(115_200)).toBe(1.75)
  })
})
