import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import mqtt, { type MqttClient } from 'mqtt'
import { harnessConfig, PRODUCER, SITE, UPLINK_USER } from '../helpers/harness.js'
import { spawnGateway, writeConfig, type SpawnedGateway } from '../helpers/spawn-gateway.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import { topics } from '../../base/events/topics.js'

const PRODUCERS = 5
const PER_PRODUCER = 2000
const devices = Array.from({ length: PRODUCERS }, (_, i) => ({ id: `p${i}`, adapter: 'mqtt-ingest', kind: 'alarm' }))

interface Msg {
  id: string
  n: number
  acked: boolean
}

function connect(port: number): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: PRODUCER.username, password: PRODUCER.password, reconnectPeriod: 0 })
}

/** Publishes every message not yet acknowledged, all at once (QoS 1, mqtt.js keeps them in order). */
function publishAll(c: MqttClient, device: string, msgs: Msg[]): Promise<unknown> {
  c.on('error', () => undefined)
  return Promise.allSettled(
    msgs
      .filter((m) => !m.acked)
      .map((m) =>
        c.publishAsync(topics.ingest(SITE, device), JSON.stringify({ id: m.id, type: 'intrusion', attrs: { n: m.n } }), { qos: 1 }).then(() => {
          m.acked = true
        }),
      ),
  )
}

describe('end to end: kill -9 mid-stream', () => {
  let dir: string | undefined
  let gw: SpawnedGateway | undefined
  let platform: PlatformSim | undefined
  afterEach(async () => {
    await gw?.kill9()
    await platform?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('the platform gets every PUBACKed event once (by id) and in order per device', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-e2e-'))
    platform = await startPlatformSim({ users: [UPLINK_USER] })
    const configFile = writeConfig(harnessConfig(dir, platform.url, { devices }), dir)
    gw = await spawnGateway(configFile)
    const streams = devices.map((d) => ({ device: d.id, msgs: Array.from({ length: PER_PRODUCER }, (_, n) => ({ id: randomUUID(), n, acked: false })) }))
    const clients = await Promise.all(streams.map(() => connect(gw!.brokerPort)))
    const acked = () => streams.reduce((s, st) => s + st.msgs.filter((m) => m.acked).length, 0)
    const firstRun = Promise.all(streams.map((st, i) => publishAll(clients[i]!, st.device, st.msgs)))
    // Mid-stream: once about 40% are acknowledged, pull the plug.
    while (acked() < (PRODUCERS * PER_PRODUCER * 2) / 5) await new Promise((r) => setImmediate(r))
    await gw.kill9()
    const ackedBeforeKill = new Set(streams.flatMap((st) => st.msgs.filter((m) => m.acked).map((m) => m.id)))
    for (const c of clients) c.end(true)
    await Promise.race([firstRun, new Promise((r) => setTimeout(r, 500))])
    expect(ackedBeforeKill.size).toBeLessThan(PRODUCERS * PER_PRODUCER)

    // Restart on the same journal; producers resend what was never acknowledged, as QoS 1 clients do.
    gw = await spawnGateway(configFile)
    const again = await Promise.all(streams.map(() => connect(gw!.brokerPort)))
    await Promise.all(streams.map((st, i) => publishAll(again[i]!, st.device, st.msgs)))
    expect(acked()).toBe(PRODUCERS * PER_PRODUCER)
    await platform.waitForCount(PRODUCERS * PER_PRODUCER + 1, 60_000) // + gateway.started of the second run at least
    const mine = platform.events.filter((e) => e.device.startsWith('p'))
    for (let i = 0; i < 200 && mine.length < PRODUCERS * PER_PRODUCER; i++) {
      await new Promise((r) => setTimeout(r, 50))
      mine.splice(0, mine.length, ...platform.events.filter((e) => e.device.startsWith('p')))
    }
    // Every event acknowledged before the kill reached the platform, and so did all the rest.
    const received = new Set(mine.map((e) => e.id))
    for (const id of ackedBeforeKill) expect(received.has(id)).toBe(true)
    expect(received.size).toBe(PRODUCERS * PER_PRODUCER)
    expect(mine.length).toBe(PRODUCERS * PER_PRODUCER) // the recorder keeps unique ids only
    // In order per device: the producer's own counter and the gateway's seq both rise.
    for (const st of streams) {
      const ns = mine.filter((e) => e.device === st.device).map((e) => e.attrs['n'] as number)
      expect(ns).toEqual(Array.from({ length: PER_PRODUCER }, (_, n) => n))
    }
    expect(platform.report().orderViolations).toBe(0)
    expect(platform.report().gaps).toBe(0)
    for (const c of again) c.end(true)
  }, 120_000)
})
