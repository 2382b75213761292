import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import { API_TOKEN, PRODUCER, SITE, harnessConfig, startHarness, type Harness } from '../../helpers/harness.js'
import { promValue } from '../../helpers/prom-text.js'
import { promtoolCheckMetrics } from '../../helpers/promtool.js'
import { topics } from '../../../base/events/topics.js'
import { startGateway, type Gateway } from '../../../gateway/main.js'
import { captureLog } from '../../helpers/logs.js'
import { DEADLINE_MS, DEVICE, ev, ptyGateway, until } from '../contact-id/support.js'

const DEVICES = [{ id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access' }]

function scrape(port: number, token?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {})
}

describe('GET /metrics', () => {
  let h: Harness | undefined
  const stops: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    await h?.stop()
    h = undefined
    for (const s of stops.splice(0).reverse()) await s()
  })

  it('needs a token; shows committed events and refusals; passes promtool check metrics', async () => {
    h = await startHarness({ devices: DEVICES })
    const refused = await scrape(h.gateway.apiPort)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toMatchObject({ error: 'unauthorized' })
    expect((await scrape(h.gateway.apiPort, 'not-the-token-0123456789')).status).toBe(401)

    const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    stops.push(() => c.endAsync())
    // Each PUBACK comes after its event's commit (or its refusal).
    for (let i = 0; i < 3; i++) await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.open' }), { qos: 1 })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), '{"type":', { qos: 1 })
    await h.platform.waitForEvent((e) => e.type === 'ingest.rejected')

    const res = await scrape(h.gateway.apiPort, API_TOKEN)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(promValue(text, 'pingan_events_committed_total', { kind: 'access', type: 'door.open' })).toBe(3)
    expect(promValue(text, 'pingan_events_committed_total', { kind: 'gateway', type: 'ingest.rejected' })).toBe(1)
    expect(promValue(text, 'pingan_ingest_accepted_total')).toBe(3)
    expect(promValue(text, 'pingan_ingest_rejected_total', { reason: 'not-json' })).toBe(1)
    expect(promValue(text, 'pingan_journal_rows')).toBeGreaterThanOrEqual(5) // + gateway.started
    expect(promValue(text, 'pingan_device_online', { device: 'intercom-1', kind: 'access' })).toBe(1)
    expect(promValue(text, 'pingan_uplink_backlog_events', { uplink: 'platform' })).toBeGreaterThanOrEqual(0)
    expect(promValue(text, 'pingan_uplink_state', { uplink: 'platform', state: 'up' })).toBe(1)
    expect(promValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0)

    const lint = await promtoolCheckMetrics(text)
    expect(lint).toEqual({ code: 0, output: '' })
  })

  it('with metrics.open answers without credentials, while the rest of the API still needs them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pingan-metrics-'))
    stops.push(() => rmSync(dir, { recursive: true, force: true }))
    const config = { ...harnessConfig(dir, 'mqtt://127.0.0.1:1', { devices: DEVICES, noUplink: true }), metrics: { open: true } }
    const gw: Gateway = await startGateway(config, { log: captureLog().log })
    stops.push(() => gw.stop())
    const res = await scrape(gw.apiPort)
    expect(res.status).toBe(200)
    expect(promValue(await res.text(), 'pingan_events_committed_total', { kind: 'gateway', type: 'gateway.started' })).toBe(1)
    expect((await fetch(`http://127.0.0.1:${gw.apiPort}/api/v1/status`)).status).toBe(401)
  })

  it("shows a serial device's link counters from its adapter's health(), through a real port", { timeout: 4 * DEADLINE_MS }, async () => {
    const cleanup: Array<() => Promise<void>> = []
    stops.push(async () => {
      for (const c of cleanup.splice(0).reverse()) await c()
    })
    const { model, sim, h: rx } = await ptyGateway(cleanup, { heartbeatMs: 400, ackTimeoutMs: 1000 })
    model.enqueue(ev('131', '015'), ev('131', '015', 'R'))
    sim.poke()
    await rx.platform.waitForEvent((e) => e.type === 'intrusion.restore', DEADLINE_MS)
    await until('both acknowledged', () => model.stats.delivered === 2)
    const text = await (await scrape(rx.gateway.apiPort, API_TOKEN)).text()
    expect(promValue(text, 'pingan_device_online', { device: DEVICE, kind: 'alarm' })).toBe(1)
    expect(promValue(text, 'pingan_events_committed_total', { kind: 'alarm', type: 'intrusion' })).toBe(1)
    // Two events and the heartbeats before them: every one a frame.
    expect(promValue(text, 'pingan_device_link_frames_total', { device: DEVICE })).toBeGreaterThanOrEqual(2)
    expect(promValue(text, 'pingan_device_link_crc_errors_total', { device: DEVICE })).toBe(0)
    expect(promValue(text, 'pingan_device_last_seen_timestamp_seconds', { device: DEVICE })).toBeGreaterThan(0)
    expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' })
  })
})
