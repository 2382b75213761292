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

describe('end to end: Contact ID across kill -9', () => {
  const cleanup: Array<() => Promise<void>> = []
  let gw: SpawnedGateway | undefined
  afterEach(async () => {
    await gw?.kill9()
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('a message committed but never acknowledged is repeated to the restarted gateway and stored once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pingan-cid-kill9-'))
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }))
    const platform: PlatformSim = await startPlatformSim({ users: [UPLINK_USER] })
    cleanup.push(() => platform.close())
    const model = new ReceiverModel({ heartbeatMs: 300, ackTimeoutMs: 800 }, Date.now())
    const sim = await serveTcp(model, { log: captureLog().log })
    cleanup.push(() => sim.close())
    const device = {
      id: 'alarm-rx', adapter: 'contact-id', transport: { url: sim.address, reconnectMinMs: 50, reconnectMaxMs: 300 },
      zones: { 15: { name: 'infrared beam, north fence', location: { building: '3' } } },
    }
    const configFile = writeConfig(harnessConfig(dir, platform.url, { devices: [device] }), dir)
    gw = await spawnGateway(configFile)
    await platform.waitForEvent((e) => e.type === 'device.online', 10_000)

    // The receiver hears no ACK (lost on the line): the gateway has committed, the receiver
    // does not know it. Then the gateway dies.
    sim.setDeaf(true)
    model.enqueue({ account: '1234', qualifier: 'E', code: '131', group: '01', zone: '015' })
    sim.poke()
    const first = await platform.waitForEvent((e) => e.type === 'intrusion', 10_000)
    expect(first.zone).toBe('infrared beam, north fence')
    await gw.kill9()
    sim.setDeaf(false)
    expect(model.stats.delivered).toBe(0)

    // Restarted on the same journal, the gateway gets the repeat and recognises it.
    gw = await spawnGateway(configFile)
    await until('the receiver has its ACK', () => model.stats.delivered === 1)
    await new Promise((r) => setTimeout(r, 500))
    const intrusions = platform.events.filter((e) => e.type === 'intrusion')
    expect(intrusions.map((e) => e.id)).toEqual([first.id])
    expect(gw.lines.some((l) => l['msg'] === 'repeated message already committed, acknowledged again')).toBe(true)
  })
})
