import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ModbusBus } from '../../../adapters/modbus/bus.js'
import { ModbusTimeoutError } from '../../../adapters/modbus/transaction.js'
import { ModbusDeviceSchema } from '../../../adapters/modbus/config.js'
import { createModbusDefinition } from '../../../adapters/modbus/index.js'
import type { Adapter } from '../../../adapters/types.js'
import { ParkingBusModel, type UnitSpec } from '../../../simulators/parking-lock/model.js'
import { inProcessLink } from '../../../simulators/parking-lock/wire.js'
import { captureLog } from '../../helpers/logs.js'
import { recorder, type Recorder } from '../../integration/modbus/context.js'
import { globalTimers, useFakeClock } from './fake-clock.js'

/**
 * The bus's and the poll loop's timing on fake timers: the real bus, framers, adapters and
 * simulator, joined by an in-process link, with every wait on injected timers. Times here are
 * exact, so they say what the schedule is, whatever the machine's load.
 */
const timers = globalTimers
/** Each reply takes 5 ms (the simulator's processing), so the bus is never free for nothing. */
const REPLY_MS = 5

let adapters: Adapter[] = []

beforeEach(() => useFakeClock())

afterEach(async () => {
  // A stop waits for the poll in progress, which waits on the fake timers: keep them moving.
  let stopped = false
  const stopping = Promise.all(adapters.map((a) => a.stop())).then(() => (stopped = true))
  for (let i = 0; i < 100 && !stopped; i++) await vi.advanceTimersByTimeAsync(100)
  await stopping
  adapters = []
  vi.useRealTimers()
})

/** Units on one bus reached through the in-process link; resolves once every unit has answered. */
async function start(specs: UnitSpec[], devices: Record<string, unknown>[], openAfterMs = 0): Promise<{ model: ParkingBusModel; recs: Recorder[] }> {
  const model = new ParkingBusModel(specs, { now: () => Date.now(), travelMs: 300 })
  const link = inProcessLink(model, { timers, replyDelayMs: REPLY_MS })
  // A device server that takes a while to accept the connection.
  const open: typeof link = (h) => new Promise((resolve) => setTimeout(() => resolve(link(h)), openAfterMs))
  const def = createModbusDefinition({ open: () => open, timers })
  const logs = captureLog('info')
  const recs = devices.map((d) => {
    const cfg = ModbusDeviceSchema.parse({ adapter: 'modbus', kind: 'parking', transport: 'tcp://127.0.0.1:1', ...d })
    const r = recorder(cfg.id, logs)
    adapters.push(def.create!(cfg, r.ctx))
    return r
  })
  for (const a of adapters) await a.start()
  await vi.advanceTimersByTimeAsync(0)
  return { model, recs }
}

/** Start times of each poll of `unit` (its first request) within [from, to). */
function pollStarts(model: ParkingBusModel, unit: number, fc: number, from: number, to: number): number[] {
  return model.history.filter((h) => h.unit === unit && h.fc === fc && h.at >= from && h.at < to).map((h) => h.at)
}

const gaps = (t: number[]) => t.slice(1).map((x, i) => x - t[i]!)

describe('poll schedule on fake timers', () => {
  it('each unit is polled at its own interval, at a fixed rate', async () => {
    const { model } = await start(
      [
        { unit: 1, type: 'lock' },
        { unit: 2, type: 'sensor' },
      ],
      [
        { id: 'lock-1', unit: 1, profile: 'parking-lock', pollIntervalMs: 50 },
        { id: 'space-2', unit: 2, profile: 'occupancy-sensor', pollIntervalMs: 400 },
      ],
    )
    const from = Date.now()
    await vi.advanceTimersByTimeAsync(1200)
    // A lock poll starts with its holding registers (03), a sensor poll with its discrete input (02).
    const lock = pollStarts(model, 1, 3, from, from + 1200)
    const sensor = pollStarts(model, 2, 2, from, from + 1200)
    expect(lock).toHaveLength(1200 / 50)
    expect(sensor).toHaveLength(1200 / 400)
    // Each on its interval, give or take the other unit's request (5 ms) on the wire ahead of it.
    for (const [g, interval] of [
      [gaps(lock), 50],
      [gaps(sensor), 400],
    ] as const) {
      expect(Math.min(...g)).toBeGreaterThanOrEqual(interval - 2 * REPLY_MS)
      expect(Math.max(...g)).toBeLessThanOrEqual(interval + 2 * REPLY_MS)
    }
  })

  it('a silent unit goes offline and is tried once a second; the others keep their interval, delayed at most by its one attempt', async () => {
    const timing = { pollIntervalMs: 100, responseTimeoutMs: 100, retries: 1, offlineAfterMisses: 2, offlinePollIntervalMs: 1000 }
    const { model, recs } = await start(
      [1, 2, 3, 4].map((unit) => ({ unit, type: 'lock' as const })),
      [1, 2, 3, 4].map((unit) => ({ id: `lock-${unit}`, unit, profile: 'parking-lock', ...timing })),
    )
    await vi.advanceTimersByTimeAsync(500)
    model.setSilent(2, true)
    const silentAt = Date.now()
    // Two missed polls, each two attempts of a 100 ms timeout and the 100 ms quiet after it.
    await vi.advanceTimersByTimeAsync(2 * 2 * (100 + 100) + 200)
    const offline = recs[1]!.events.find((e) => e.type === 'device.offline')
    expect(offline).toBeDefined()
    const from = Date.now()
    await vi.advanceTimersByTimeAsync(3000)
    const to = Date.now()
    for (const unit of [1, 3, 4]) {
      const g = gaps(pollStarts(model, unit, 3, from, to))
      // Its 100 ms, plus at worst the dead unit's one attempt (timeout and quiet: 200 ms) and the
      // other two locks' polls (two requests of 5 ms each) queued ahead of it.
      expect(Math.max(...g), `unit ${unit} longest gap`).toBeLessThanOrEqual(100 + 200 + 2 * 2 * REPLY_MS)
      // The dead unit holds the bus 200 ms a second at most, so each other unit loses at most two
      // of its ten polls a second.
      expect(g.length + 1, `unit ${unit} polls in 3 s`).toBeGreaterThanOrEqual(3 * 8)
    }
    // Offline: one attempt, no retries, a second apart.
    const tries = model.history.filter((h) => h.unit === 2 && h.at >= from && h.at < to).map((h) => h.at)
    expect(tries).toHaveLength(3)
    expect(gaps(tries).every((g) => g >= 1000)).toBe(true)
    expect(silentAt).toBeLessThan(from)
    model.setSilent(2, false)
    await vi.advanceTimersByTimeAsync(1100)
    expect(recs[1]!.events.map((e) => e.type)).toContain('device.online')
  })
})

describe('the first poll', () => {
  it('waits for a link slow to open, rather than counting misses against a unit that never got a request', async () => {
    const { recs } = await start(
      [{ unit: 1, type: 'lock' }],
      [{ id: 'lock-1', unit: 1, profile: 'parking-lock', pollIntervalMs: 50, offlineAfterMisses: 3 }],
      120,
    )
    await vi.advanceTimersByTimeAsync(300)
    expect(recs[0]!.state.online).toBe(true)
    expect(recs[0]!.events.map((e) => e.type)).not.toContain('device.offline')
  })

  it('still declares the unit offline when the link never opens', async () => {
    const { recs } = await start(
      [{ unit: 1, type: 'lock' }],
      [{ id: 'lock-1', unit: 1, profile: 'parking-lock', pollIntervalMs: 50, offlineAfterMisses: 3 }],
      60_000,
    )
    await vi.advanceTimersByTimeAsync(1000)
    expect(recs[0]!.state).toMatchObject({ online: false, reason: expect.stringMatching(/no answer to 3 polls/) })
  })
})

describe('the quiet after a timeout, on fake timers', () => {
  it('a unit answering in 350 ms behind a 300 ms timeout: each late reply restarts the quiet; nothing answers the wrong request', async () => {
    const model = new ParkingBusModel([{ unit: 1, type: 'alt-lock' }], { now: () => Date.now() })
    model.setReplyDelay(1, 350)
    const logs = captureLog()
    let bus: ModbusBus | undefined
    const link = await inProcessLink(model, { timers })({ onData: (b) => bus!.onData(b), onClose: () => undefined })
    bus = new ModbusBus({ log: logs.log, link, timers })
    const t0 = Date.now()
    const poll = { timeoutMs: 300, retries: 1, priority: 'poll' as const }
    const a = bus.transact({ unit: 1, fc: 3, address: 0, quantity: 2 }, poll)
    const b = bus.transact({ unit: 1, fc: 3, address: 5, quantity: 2 }, poll)
    const failedAt: number[] = []
    a.catch(() => failedAt.push(Date.now() - t0))
    b.catch(() => failedAt.push(Date.now() - t0))
    await vi.advanceTimersByTimeAsync(5000)
    await expect(a).rejects.toBeInstanceOf(ModbusTimeoutError)
    await expect(a).rejects.toThrow(/2 attempts; 2 replies came late, up to 350 ms after the request: raise responseTimeoutMs/)
    await expect(b).rejects.toBeInstanceOf(ModbusTimeoutError)
    // Sent at 0; timed out at 300; the late reply at 350 restarts the 300 ms quiet: resent at 650.
    // That reply comes at 1000 (after the 950 timeout), the quiet ends at 1300: the next read goes.
    const sent = model.history.map((h) => h.at - t0)
    expect(sent).toEqual([0, 650, 1300, 1950])
    expect(failedAt).toEqual([1300, 2600])
    expect(bus.stats).toMatchObject({ replies: 0, strayFrames: 4, timeouts: 2 })
    expect(logs.find('late reply discarded', { level: 40 })).toEqual([expect.objectContaining({ unit: 1, lateMs: 350, timeoutMs: 300 })])
    bus.close()
    await link.close()
  })
})
