import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import mqtt, { type MqttClient } from 'mqtt'
import { harnessConfig, PRODUCER, SITE } from '../helpers/harness.js'
import { spawnGateway, writeConfig, type SpawnedGateway } from '../helpers/spawn-gateway.js'
import { Dc09UplinkSchema } from '../../cloud-bridge/uplinks/dc09/config.js'
import { startCentreSim, type CentreSim } from '../../simulators/alarm-centre/wire.js'
import { topics } from '../../base/events/topics.js'

const PRODUCERS = 2
const PER_PRODUCER = 300
const devices = Array.from({ length: PRODUCERS }, (_, i) => ({ id: `p${i}`, adapter: 'mqtt-ingest', kind: 'alarm' }))

interface Msg {
  id: string
  acked: boolean
}

function connect(port: number): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: PRODUCER.username, password: PRODUCER.password, reconnectPeriod: 0 })
}

function publishAll(c: MqttClient, device: string, msgs: Msg[]): Promise<unknown> {
  c.on('error', () => undefined)
  // The centre knows a device by its zone: one zone per producer.
  const zone = device.slice(1)
  return Promise.allSettled(
    msgs
      .filter((m) => !m.acked)
      .map((m) =>
        c.publishAsync(topics.ingest(SITE, device), JSON.stringify({ id: m.id, type: 'intrusion', zone }), { qos: 1 }).then(() => {
          m.acked = true
        }),
      ),
  )
}

describe('end to end: kill -9 of the gateway while it reports to an alarm-receiving centre', () => {
  let dir: string | undefined
  let gw: SpawnedGateway | undefined
  let centre: CentreSim | undefined
  afterEach(async () => {
    await gw?.kill9()
    await centre?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('every event the gateway acknowledged reaches the centre after the restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-e2e-dc09-'))
    centre = await startCentreSim()
    const config = harnessConfig(dir, 'mqtt://127.0.0.1:1', { devices, noUplink: true })
    config.uplinks.push(
      Dc09UplinkSchema.parse({
        id: 'arc',
        type: 'dc09',
        account: '1234',
        ackTimeoutMs: 500,
        retries: 1,
        retryDownMs: 100,
        testReportMs: 0,
        paths: [{ name: 'wired', receivers: [{ host: '127.0.0.1', port: centre.tcpPort, receiverNumber: '1', lineNumber: '1' }] }],
      }),
    )
    const configFile = writeConfig(config, dir)
    gw = await spawnGateway(configFile)
    // Time-ordered ids (UUIDv7), as the gateway's own: the centre checks order per zone by them.
    const ids = new UuidV7Generator(Date.now)
    const streams = devices.map((d) => ({ device: d.id, msgs: Array.from({ length: PER_PRODUCER }, () => ({ id: ids.next(), acked: false })) }))
    const clients = await Promise.all(streams.map(() => connect(gw!.brokerPort)))
    const firstRun = Promise.all(streams.map((st, i) => publishAll(clients[i]!, st.device, st.msgs)))
    // Mid-stream for the centre: some events delivered, most still in the journal.
    const model = centre.model
    while (model.events.length < 20) await new Promise((r) => setTimeout(r, 5))
    await gw.kill9()
    const ackedBeforeKill = streams.flatMap((st) => st.msgs.filter((m) => m.acked).map((m) => m.id))
    for (const c of clients) c.end(true)
    await Promise.race([firstRun, new Promise((r) => setTimeout(r, 500))])
    expect(model.report(ackedBeforeKill).lost.length).toBeGreaterThan(0) // the kill really cut the stream

    gw = await spawnGateway(configFile)
    const again = await Promise.all(streams.map(() => connect(gw!.brokerPort)))
    await Promise.all(streams.map((st, i) => publishAll(again[i]!, st.device, st.msgs)))
    const all = streams.flatMap((st) => st.msgs.map((m) => m.id))
    for (let i = 0; i < 1200 && model.report(all).lost.length > 0; i++) await new Promise((r) => setTimeout(r, 50))
    const r = model.report(all)
    expect(r.lost).toEqual([])
    // At least once: acknowledgements are recorded in batches, so a kill can resend events the centre
    // already took; each carries its event id in [U], and the centre counts them as duplicates.
    expect(r.unique).toBe(PRODUCERS * PER_PRODUCER)
    expect(r.outOfOrder).toBe(0)
    for (const c of again) c.end(true)
  }, 120_000)
})
