import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_PROFILES } from '../../../adapters/modbus/profiles.js'
import type { Adapter } from '../../../adapters/types.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { servePort, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'
import { startUnits, type Recorder } from './context.js'

/**
 * The adapter on a real serial line (a socat PTY pair): writes with functions 0F and 10, and the
 * cable pulled and plugged back.
 */
const LOCK = BUILTIN_PROFILES['parking-lock']
/** The built-in lock map, but written with the multiple-write functions (some vendors take only those). */
const MULTI_WRITE_LOCK = {
  ...LOCK,
  commands: {
    raise: { ...LOCK.commands['raise']!, write: { ...LOCK.commands['raise']!.write, multiple: true } },
    lower: { ...LOCK.commands['lower']!, write: { ...LOCK.commands['lower']!.write, multiple: true } },
    'clear-fault': { ...LOCK.commands['clear-fault']!, write: { ...LOCK.commands['clear-fault']!.write, multiple: true } },
  },
}

let pair: PtyPair
let model: ParkingBusModel
let sim: WireServer | undefined
let adapters: Adapter[] = []
let recs: Recorder[] = []

beforeAll(async () => {
  pair = await startPtyPair()
  model = new ParkingBusModel(
    [
      { unit: 1, type: 'lock' },
      { unit: 2, type: 'sensor' },
    ],
    { now: () => Date.now(), travelMs: 200 },
  )
  sim = await servePort(model, pair.b)
  const transport = { path: pair.a, baudRate: 9600, backoff: { initialMs: 50, maxMs: 200 } }
  const timing = {
    transport,
    pollIntervalMs: 100,
    responseTimeoutMs: 150,
    retries: 1,
    offlineAfterMisses: 2,
    offlinePollIntervalMs: 300,
    commandPollIntervalMs: 50,
  }
  ;({ adapters, recs } = await startUnits([
    { id: 'lock-1', unit: 1, profile: MULTI_WRITE_LOCK, ...timing },
    { id: 'space-2', unit: 2, profile: 'occupancy-sensor', ...timing },
  ]))
})

afterAll(async () => {
  for (const a of adapters) await a.stop()
  await sim?.close()
  await pair?.close()
})

describe('modbus adapter over a PTY', () => {
  it('raises, lowers and clears a fault with write-multiple functions (10 and 0F)', async () => {
    const [lock] = adapters
    expect(await lock!.command!({ id: 'a', action: 'raise', params: {} })).toMatchObject({ status: 'ok' })
    expect(model.history.some((h) => h.unit === 1 && h.fc === 0x10)).toBe(true)
    model.lock(1).jamNext = true
    expect(await lock!.command!({ id: 'b', action: 'lower', params: {} })).toMatchObject({ status: 'fault' })
    expect(await lock!.command!({ id: 'c', action: 'clear-fault', params: {} })).toMatchObject({ status: 'ok' })
    expect(model.history.some((h) => h.unit === 1 && h.fc === 0x0f)).toBe(true)
    expect(model.lock(1).position).toBe(0)
  })

  it('the line pulled: every unit goes offline with the reason; plugged back: online again', async () => {
    const since = recs.map((r) => r.events.length)
    await sim?.close()
    sim = undefined
    await pair.unplug()
    await Promise.all(recs.map((r, i) => r.waitFor((e) => e.type === 'device.offline', 5000, since[i])))
    expect(recs[0]!.state).toMatchObject({ online: false, reason: expect.stringMatching(/no answer to 2 polls/) })
    await pair.replug()
    sim = await servePort(model, pair.b)
    await Promise.all(recs.map((r, i) => r.waitFor((e) => e.type === 'device.online', 8000, since[i])))
    const online = recs[1]!.events.slice(since[1]).find((e) => e.type === 'device.online')!
    expect(online.attrs).toMatchObject({ unit: 2, downMs: expect.any(Number) })
  })

  it('health(): each unit its share of the line and what its points say', async () => {
    const [lock, space] = adapters
    const h = lock!.health!()
    expect(h).toMatchObject({ online: true, supervision: { windowMs: 200 }, info: { lockPosition: 'lowered', battery: expect.any(Number) } })
    expect(h.lastSeenAt).toBeTypeOf('number')
    expect(h.link.frames).toBeGreaterThan(0)
    expect(h.link.crcErrors).toBe(0)
    const s = space!.health!()
    expect(s.info).toMatchObject({ occupancy: expect.stringMatching(/^(vacant|occupied)$/), battery: expect.any(Number) })
    expect(s.info.lockPosition).toBeUndefined()
    // Each unit counts its own replies: the two shares differ, not one bus total twice.
    expect(s.link.frames).not.toBe(h.link.frames)
  })
})
