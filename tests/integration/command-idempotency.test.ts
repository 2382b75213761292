import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { ParkingBusModel } from '../../simulators/parking-lock/model.js'
import { serveTcp, type WireServer } from '../../simulators/parking-lock/wire.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import type { CommandResult } from '../../base/events/command.js'
import { topics } from '../../base/events/topics.js'
import { CommandResultStore } from '../../gateway/commands/result-store.js'
import { startHarness, OPERATOR, SITE, UPLINK_USER, type Harness } from '../helpers/harness.js'

/**
 * A platform resends a command after a reconnect: the gateway answers the repeat with the first
 * result and the lock moves once, whether the repeat arrives while the first is still running or
 * after a restart of the gateway. Real parts: the parking bus simulator over TCP, aedes, SQLite.
 */
const WRITE_FCS = new Set([5, 6, 15, 16])

let model: ParkingBusModel
let sim: WireServer
let platform: PlatformSim
let dir: string
let h: Harness | undefined

afterEach(async () => {
  await h?.stop()
  h = undefined
  await platform?.close()
  await sim?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A gateway on the same directory (journal) as the last one, its uplink subscribed to commands. */
async function start(): Promise<Harness> {
  const since = Date.now()
  const started = await startHarness({
    dir,
    platform,
    devices: [
      {
        id: 'lock-1',
        adapter: 'modbus',
        kind: 'parking',
        unit: 1,
        profile: 'parking-lock',
        transport: { url: sim.address, backoff: { initialMs: 50, maxMs: 200 } },
        pollIntervalMs: 100,
        responseTimeoutMs: 200,
        commandPollIntervalMs: 50,
      },
    ],
  })
  // Forwarded after the uplink subscribed to the platform's commands on the same connection.
  await platform.waitForEvent((e) => e.type === 'gateway.started' && Date.parse(e.receivedAt) >= since, 10_000)
  return started
}

/** A local operator on the gateway's broker that collects every result. */
async function operator(brokerUrl: string) {
  const client = await mqtt.connectAsync(brokerUrl, { username: OPERATOR.username, password: OPERATOR.password })
  const results: CommandResult[] = []
  const waiters: Array<() => void> = []
  client.on('message', (_t, p) => {
    results.push(JSON.parse(p.toString()) as CommandResult)
    for (const w of waiters.splice(0)) w()
  })
  await client.subscribeAsync(topics.allCommandResults(SITE), { qos: 1 })
  return {
    results,
    send: (cmd: object) => client.publishAsync(topics.cmd(SITE, 'lock-1'), JSON.stringify(cmd), { qos: 1 }),
    async waitFor(n: number): Promise<void> {
      while (results.length < n) await new Promise<void>((r) => waiters.push(r))
    },
    end: () => client.endAsync(),
  }
}

/** Waits until the gateway has read the unit a few more times: it knows the lock's position. */
async function polled(): Promise<void> {
  const answered = () => model.history.filter((x) => x.unit === 1 && x.answered).length
  const target = answered() + 3
  const until = Date.now() + 10_000
  while (answered() < target) {
    if (Date.now() > until) throw new Error('the gateway did not poll the lock')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const writes = () => model.history.filter((x) => x.unit === 1 && WRITE_FCS.has(x.fc)).length

async function setup(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'pingan-cmd-'))
  model = new ParkingBusModel([{ unit: 1, type: 'lock' }], { now: () => Date.now(), travelMs: 300, seed: 3 })
  sim = await serveTcp(model)
  platform = await startPlatformSim({ users: [UPLINK_USER] })
}

describe('commands are idempotent by id', () => {
  it('a repeat while the first runs, and a repeat after a restart, get the first result; the lock moves once', async () => {
    await setup()
    h = await start()
    await polled()

    const op = await operator(h.brokerUrl)
    const cmd = { id: 'same-id-1', action: 'raise' }
    await op.send(cmd)
    await op.send(cmd) // the lock takes 300 ms to travel: this one arrives while the first runs
    await op.waitFor(2)
    expect(op.results[0]).toMatchObject({ id: 'same-id-1', status: 'ok', data: { position: 'raised' } })
    expect(op.results[1]).toEqual(op.results[0])
    expect(writes()).toBe(1)
    await op.end()

    // The platform lowers the lock by hand meanwhile, so a second raise would show.
    expect(await h.platform.sendCommand(SITE, 'lock-1', { id: 'lower-1', action: 'lower' })).toMatchObject({ status: 'ok' })
    expect(writes()).toBe(2)

    await h.stop()
    h = await start()
    await polled()
    const again = await operator(h.brokerUrl)
    await again.send(cmd)
    await again.waitFor(1)
    expect(again.results[0]).toEqual(op.results[0])
    expect(writes()).toBe(2)
    expect(model.lock(1).position).toBe(0)
    await again.end()
  })

  it('a command the gateway was carrying out when it died is not run again after the restart', async () => {
    await setup()
    // What the journal's file holds after a kill -9 in the middle of a raise: claimed, no result.
    h = await start()
    await h.stop()
    const store = await CommandResultStore.open({ path: join(dir, 'journal.db'), now: Date.now })
    expect(await store.claim('lock-1', 'raise-9', Date.now() + 60_000)).toEqual({ state: 'new' })
    await store.close()

    h = await start()
    await polled()
    const before = writes()
    const r = await h.platform.sendCommand(SITE, 'lock-1', { id: 'raise-9', action: 'raise' })
    expect(r).toMatchObject({ status: 'error', reason: expect.stringMatching(/^the gateway stopped while carrying out this command: its outcome is unknown/) })
    expect(writes()).toBe(before)
    // The answer is kept: a further repeat gets the same one.
    const op = await operator(h.brokerUrl)
    await op.send({ id: 'raise-9', action: 'raise' })
    await op.waitFor(1)
    expect(op.results[0]).toEqual(r)
    await op.end()
  })
})
