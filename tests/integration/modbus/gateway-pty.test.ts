import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parseConfig } from '../../../config/load.js'
import { ConfigError } from '../../../base/errors.js'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { servePort, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { startHarness, SITE, type Harness } from '../../helpers/harness.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'

/**
 * The whole chain over a real serial line: the simulated bus on one end of a socat PTY pair, the
 * gateway on the other, events and command results through the real broker, journal and uplink
 * to the platform simulator.
 */
let pair: PtyPair
let model: ParkingBusModel
let sim: WireServer
let h: Harness

const timing = { pollIntervalMs: 100, responseTimeoutMs: 100, retries: 1, offlineAfterMisses: 2, offlinePollIntervalMs: 1000, commandPollIntervalMs: 50 }

beforeAll(async () => {
  pair = await startPtyPair()
  model = new ParkingBusModel(
    [
      { unit: 1, type: 'lock' },
      { unit: 2, type: 'lock' },
      { unit: 3, type: 'sensor' },
    ],
    { now: () => Date.now(), travelMs: 300, seed: 9 },
  )
  sim = await servePort(model, pair.b)
  const transport = { path: pair.a, baudRate: 19200, parity: 'even', backoff: { initialMs: 50, maxMs: 200 } }
  h = await startHarness({
    devices: [
      {
        id: 'lock-1',
        adapter: 'modbus',
        kind: 'parking',
        location: { building: 'B2', area: 'P1-001' },
        transport,
        unit: 1,
        profile: 'parking-lock',
        ...timing,
      },
      {
        id: 'lock-2',
        adapter: 'modbus',
        kind: 'parking',
        location: { building: 'B2', area: 'P1-002' },
        transport,
        unit: 2,
        profile: 'parking-lock',
        ...timing,
      },
      {
        id: 'space-3',
        adapter: 'modbus',
        kind: 'parking',
        location: { building: 'B2', area: 'P1-003' },
        transport,
        unit: 3,
        profile: 'occupancy-sensor',
        ...timing,
      },
    ],
  })
  // Every unit read once: a change made after this is a change, not the first reading.
  const until = Date.now() + 10_000
  while (![1, 2, 3].every((u) => model.history.filter((x) => x.unit === u && x.answered).length >= 3)) {
    if (Date.now() > until) throw new Error('the gateway did not poll every unit')
    await new Promise((r) => setTimeout(r, 20))
  }
})

afterAll(async () => {
  await h?.stop()
  await sim?.close()
  await pair?.close()
})

let n = 0
const send = (device: string, action: string) => h.platform.sendCommand(SITE, device, { id: `cmd-${++n}`, action }, 10_000)

describe('modbus through the gateway over a PTY', () => {
  it('says each unit is up at start with device.online, as every adapter does', async () => {
    for (const device of ['lock-1', 'lock-2', 'space-3']) await h.platform.waitForEvent((e) => e.device === device && e.type === 'device.online', 5000)
  })

  it('occupancy changes reach the platform with the space location', async () => {
    model.sensor(3).setVehicle(true)
    const ev = await h.platform.waitForEvent((e) => e.device === 'space-3' && e.type === 'parking.occupied', 6000)
    expect(ev).toMatchObject({ site: SITE, kind: 'parking', priority: 4, building: 'B2', area: 'P1-003', attrs: { unit: 3, state: 'occupied' } })
    model.sensor(3).setVehicle(false)
    await h.platform.waitForEvent((e) => e.device === 'space-3' && e.type === 'parking.vacant', 6000)
  })

  it('raise and lower round trip with results via the platform', async () => {
    const up = await send('lock-1', 'raise')
    expect(up).toMatchObject({ id: `cmd-${n}`, device: 'lock-1', action: 'raise', status: 'ok' })
    await h.platform.waitForEvent((e) => e.device === 'lock-1' && e.type === 'lock.raised', 3000)
    const down = await send('lock-1', 'lower')
    expect(down).toMatchObject({ status: 'ok', data: { position: 'lowered' } })
    await h.platform.waitForEvent((e) => e.device === 'lock-1' && e.type === 'lock.lowered', 3000)
  })

  it('a raise with a vehicle present is refused', async () => {
    model.lock(2).setVehicle(true)
    await h.platform.waitForEvent((e) => e.device === 'lock-2' && e.type === 'parking.occupied', 3000)
    expect(await send('lock-2', 'raise')).toMatchObject({ status: 'refused', reason: 'vehicle present' })
    expect(model.lock(2).position).toBe(0)
    model.lock(2).setVehicle(false)
  })

  it('a jam fails the raise and reaches the platform as lock.fault', async () => {
    model.lock(1).jamNext = true
    expect(await send('lock-1', 'raise')).toMatchObject({ status: 'fault', data: { faultCode: 'jammed' } })
    const ev = await h.platform.waitForEvent((e) => e.device === 'lock-1' && e.type === 'lock.fault', 3000)
    expect(ev).toMatchObject({ priority: 3, attrs: { points: { faultCode: 'jammed' } } })
    expect(await send('lock-1', 'clear-fault')).toMatchObject({ status: 'ok' })
  })

  it('a silent unit goes offline while the others keep being polled; commands to it fail at once', async () => {
    const t0 = Date.now() - 1
    const after = (e: { receivedAt: string }) => Date.parse(e.receivedAt) >= t0
    model.setSilent(2, true)
    const off = await h.platform.waitForEvent((e) => e.device === 'lock-2' && e.type === 'device.offline' && after(e), 4000)
    expect(off).toMatchObject({ priority: 3, attrs: { unit: 2, reason: expect.stringMatching(/no answer/) } })
    // The others keep being answered meanwhile (waited for, not timed: a busy machine is slow).
    // A poll reads holding registers (a lock) or discrete inputs (a sensor).
    const polls = (unit: number) => model.history.filter((x) => x.unit === unit && x.answered && (x.fc === 3 || x.fc === 2)).length
    const before = [polls(1), polls(3)]
    await vi.waitFor(() => expect(Math.min(polls(1) - before[0]!, polls(3) - before[1]!)).toBeGreaterThanOrEqual(5), { timeout: 10_000, interval: 20 })
    expect(await send('lock-2', 'lower')).toMatchObject({ status: 'offline' })
    model.setSilent(2, false)
    await h.platform.waitForEvent((e) => e.device === 'lock-2' && e.type === 'device.online' && after(e), 4000)
  })
})

describe('modbus config', () => {
  it('the SPEC example (units sharing a bus through a YAML anchor) parses', () => {
    const spec = readFileSync(fileURLToPath(new URL('../../../adapters/modbus/SPEC.md', import.meta.url)), 'utf8')
    const example = /```yaml\n(devices:[\s\S]*?)```/.exec(spec)![1]!
    const cfg = parseConfig(`version: 1\nsite: { id: s1, name: Test }\njournal: { path: ':memory:' }\n${example}`, 'SPEC.md', '/tmp', {})
    expect(cfg.devices.map((d) => [d.id, (d as { transport: { path: string } }).transport.path])).toEqual([
      ['lock-b2-017', '/dev/ttyUSB0'],
      ['space-b2-018', '/dev/ttyUSB0'],
    ])
  })
})

/** The error parseConfig throws for `yaml` (undefined when the config is valid). */
function configError(yaml: string): unknown {
  try {
    parseConfig(yaml, 'site.yaml', '/tmp', {})
  } catch (e) {
    return e
  }
  return undefined
}

describe('a profile error in config', () => {
  it('is reported with its path in the file', () => {
    const yaml = `
version: 1
site: { id: s1, name: Test }
journal: { path: ':memory:' }
devices:
  - id: lock-9
    adapter: modbus
    kind: parking
    transport: /dev/ttyUSB0
    unit: 9
    profile:
      points:
        pos:
          table: holding
          address: 16
          states:
            0: { state: down, event: lock.lowerd }
            1: { state: up, event: lock.raised }
      commands:
        raise:
          write: { table: holding, address: 17, value: 1 }
          await: { point: pos, state: raised }
`
    const err = configError(yaml)
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'devices.0.profile.commands.raise.await.state',
          message: expect.stringMatching(/no state "raised" \(states: down, up\)/),
        }),
      ]),
    )
  })

  it('a misspelt event type is reported at its path', () => {
    const yaml = `
version: 1
site: { id: s1, name: Test }
journal: { path: ':memory:' }
devices:
  - id: lock-9
    adapter: modbus
    kind: parking
    transport: tcp://10.0.0.7:4001
    unit: 9
    profile:
      points:
        pos:
          table: holding
          address: 16
          states:
            0: { state: down, event: lock.lowerd }
`
    const err = configError(yaml)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems).toContainEqual(
      expect.objectContaining({ path: 'devices.0.profile.points.pos.states.0.event', message: expect.stringMatching(/"lock.lowerd" is not an event type/) }),
    )
  })
})
