import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { rmSync } from 'node:fs'
import mqtt from 'mqtt'
import { startHarness, PRODUCER, SITE, UPLINK_USER, type Harness } from '../helpers/harness.js'
import { makePki, type TestPki } from '../helpers/certs.js'
import { hasMosquitto, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import { topics } from '../../base/events/topics.js'
import type { GatewayEvent } from '../../base/events/event.js'

const devices = [{ id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access' }]
let pki: TestPki
beforeAll(() => {
  pki = makePki()
})
afterAll(() => rmSync(pki.dir, { recursive: true, force: true }))

describe('uplink over TLS', () => {
  let h: Harness | undefined
  let platform: PlatformSim | undefined
  afterEach(async () => {
    await h?.stop()
    await platform?.close()
    h = platform = undefined
  })

  it('delivers to a platform whose certificate verifies against the configured CA', async () => {
    platform = await startPlatformSim({ users: [UPLINK_USER], tls: { key: pki.key, cert: pki.cert } })
    h = await startHarness({ devices, platform, uplink: { url: `mqtts://127.0.0.1:${platform.port}`, allowPlaintext: false, ca: pki.caFile } })
    await h.gateway.emitAs('intercom-1', { type: 'door.forced' })
    await platform.waitForEvent((e) => e.type === 'door.forced')
  })

  it('refuses a platform whose certificate does not verify, names the CA file and the host, logs repeats at debug, keeps the events', async () => {
    platform = await startPlatformSim({ users: [UPLINK_USER], tls: { key: pki.key, cert: pki.cert } })
    h = await startHarness({ devices, platform, uplink: { url: `mqtts://127.0.0.1:${platform.port}`, allowPlaintext: false, ca: pki.otherCaFile } })
    await h.gateway.emitAs('intercom-1', { type: 'door.forced' })
    const line = await h.logs.waitFor('uplink error')
    expect((line['err'] as { message: string }).message).toMatch(/certificate/i)
    expect(line).toMatchObject({ level: 40, host: '127.0.0.1', port: platform.port, ca: pki.otherCaFile })
    expect(String(line['fix'])).toContain(pki.otherCaFile)
    // The same failure at every retry: counted at debug, not warned again.
    await h.logs.waitFor('uplink error', { repeats: 4 })
    expect(h.logs.find('uplink error', { level: 40 })).toHaveLength(1)
    expect(h.logs.find('uplink error', { level: 20, repeats: 2 })).toHaveLength(1)
    expect(platform.events).toEqual([])
    expect(h.gateway.journal.stats().pending['platform']).toBeGreaterThanOrEqual(1)
  })

  it('sends no IP address as the TLS server name (RFC 6066), and a host name when it has one', async () => {
    platform = await startPlatformSim({ users: [UPLINK_USER], tls: { key: pki.key, cert: pki.cert } })
    h = await startHarness({ devices, platform, uplink: { url: `mqtts://127.0.0.1:${platform.port}`, allowPlaintext: false, ca: pki.caFile } })
    await h.gateway.emitAs('intercom-1', { type: 'door.forced' })
    await platform.waitForEvent((e) => e.type === 'door.forced')
    await h.stop()
    h = await startHarness({ devices, platform, uplink: { url: `mqtts://localhost:${platform.port}`, allowPlaintext: false, ca: pki.caFile } })
    await h.gateway.emitAs('intercom-1', { type: 'door.held' })
    await platform.waitForEvent((e) => e.type === 'door.held')
    expect(platform.servernames).toEqual([false, 'localhost'])
  })
})

// Skipped only on a developer machine without mosquitto; CI installs it (tests/tools/ensure-system-deps.sh).
describe.skipIf(!hasMosquitto() && !process.env['CI'])('uplink against mosquitto (a standard broker, not our simulator)', () => {
  let h: Harness | undefined
  let mosq: Mosquitto | undefined
  afterEach(async () => {
    await h?.stop()
    await mosq?.stop()
    h = mosq = undefined
  })

  it('delivers events over TLS with username/password, and a platform command gets its result back', async () => {
    mosq = await startMosquitto({ user: UPLINK_USER.username, password: UPLINK_USER.password, tls: pki })
    const url = `mqtts://127.0.0.1:${mosq.port}`
    const consumer = await mqtt.connectAsync(url, { username: UPLINK_USER.username, password: UPLINK_USER.password, ca: pki.ca, clientId: 'platform-consumer' })
    const got: GatewayEvent[] = []
    const results: unknown[] = []
    let arrived = () => {}
    consumer.on('message', (t, p) => {
      ;(t.endsWith('/result') ? results : got).push(JSON.parse(p.toString()))
      arrived()
    })
    const until = async (cond: () => boolean) => {
      while (!cond()) await new Promise<void>((r) => (arrived = r))
    }
    await consumer.subscribeAsync([topics.allEvents(), topics.allCommandResults()], { qos: 1 })

    h = await startHarness({ devices, uplink: { url, allowPlaintext: false, ca: pki.caFile } })
    // A third-party producer that takes commands for its own device.
    const producer = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    await producer.subscribeAsync(topics.cmd(SITE, 'intercom-1'), { qos: 1 })
    producer.on('message', (_t, p) => {
      const cmd = JSON.parse(p.toString()) as { id: string; action: string }
      void producer.publishAsync(
        topics.cmdResult(SITE, 'intercom-1'),
        JSON.stringify({ id: cmd.id, device: 'intercom-1', action: cmd.action, status: 'ok', at: new Date().toISOString() }),
        { qos: 1 },
      )
    })
    for (let i = 0; i < 50; i++)
      await producer.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.open', attrs: { n: i } }), { qos: 1 })
    await until(() => got.filter((e) => e.device === 'intercom-1').length >= 50)
    expect(got.filter((e) => e.device === 'intercom-1').map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))

    await consumer.publishAsync(topics.cmd(SITE, 'intercom-1'), JSON.stringify({ id: 'cmd-1', action: 'unlock' }), { qos: 1 })
    await until(() => results.length > 0)
    expect(results[0]).toMatchObject({ id: 'cmd-1', status: 'ok' })
    await producer.endAsync()
    await consumer.endAsync()
  })
})
