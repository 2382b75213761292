import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { harnessConfig, UPLINK_USER } from '../helpers/harness.js'
import { spawnGateway, writeConfig, type SpawnedGateway } from '../helpers/spawn-gateway.js'
import { captureLog } from '../helpers/logs.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import { ReceiverModel } from '../../simulators/alarm-receiver/model.js'
import { serveTcp } from '../../simulators/alarm-receiver/wire.js'
import { until } from '../integration/contact-id/support.js'

/**
 * Deadlines are only a safety net for a loaded machine (two gateway starts through tsx); every
 * step waits for the event it needs.
 */
const DEADLINE_MS = 60_000
const REPEATED = 'repeated message already committed, acknowledged again'

describe('end to end: Contact ID across kill -9', () => {
  const cleanup: Array<() => Promise<void>> = []
  let gw: SpawnedGateway | undefined
  afterEach(async () => {
    await gw?.kill9()
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('a message committed but never acknowledged is repeated to the restarted gateway and stored once', { timeout: 4 * DEADLINE_MS }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pingan-cid-kill9-'))
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
    const platform: PlatformSim = await startPlatformSim({ users: [UPLINK_USER] })
    cleanup.push(() => platform.close())
    const model = new ReceiverModel({ heartbeatMs: 300, ackTimeoutMs: 800 }, Date.now())
    const sim = await serveTcp(model, { log: captureLog().log })
    cleanup.push(() => sim.close())
    const device = {
      id: 'alarm-rx',
      adapter: 'contact-id',
      transport: { url: sim.address, backoff: { initialMs: 50, maxMs: 300 } },
      zones: { 15: { name: 'infrared beam, north fence', location: { building: '3' } } },
    }
    const configFile = writeConfig(harnessConfig(dir, platform.url, { devices: [device] }), dir)
    gw = await spawnGateway(configFile)
    await platform.waitForEvent((e) => e.type === 'device.online', DEADLINE_MS)

    // The receiver hears no ACK for the event (lost on the line): the gateway has committed, the
    // receiver does not know it. Then the gateway dies. Only the event's ACKs are lost: deafness
    // that began while a heartbeat awaited its ACK would leave the receiver holding the event
    // behind a link it thinks is down, and the event would never be sent.
    sim.setDeaf('events')
    model.enqueue({ account: '1234', qualifier: 'E', code: '131', group: '01', zone: '015' })
    sim.poke()
    const first = await platform.waitForEvent((e) => e.type === 'intrusion', DEADLINE_MS)
    expect(first.zone).toBe('infrared beam, north fence')
    await gw.kill9()
    sim.setDeaf(false)
    expect(model.stats.delivered).toBe(0)

    // Restarted on the same journal, the gateway gets the repeat and recognises it.
    const restarted = await spawnGateway(configFile)
    gw = restarted
    await until('the receiver has its ACK', () => model.stats.delivered === 1, DEADLINE_MS)
    await until('the repeat logged as such', () => restarted.lines.some((l) => l['msg'] === REPEATED), DEADLINE_MS)
    // A periodic test behind it: the platform gets a device's events in order, so once the test
    // is there, a second intrusion committed before it would be there too.
    model.enqueue({ account: '1234', qualifier: 'E', code: '602', group: '01', zone: '000' })
    sim.poke()
    await platform.waitForEvent((e) => e.type === 'test', DEADLINE_MS)
    const intrusions = platform.events.filter((e) => e.type === 'intrusion')
    expect(intrusions.map((e) => e.id)).toEqual([first.id])
  })
})
