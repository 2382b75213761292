import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import mqtt from 'mqtt'
import sqlite3 from 'sqlite3'
import { harnessConfig, startHarness, OBSERVER, PRODUCER, SITE, type Harness } from '../helpers/harness.js'
import { spawnGateway, writeConfig, type SpawnedGateway } from '../helpers/spawn-gateway.js'
import { topics } from '../../base/events/topics.js'

const devices = [
  { id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access', location: { building: '7' } },
  { id: 'intercom-2', adapter: 'mqtt-ingest', kind: 'access' },
]

function journalRows<T>(file: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY)
    db.all(sql, (err, rows: T[]) => {
      db.close()
      if (err) reject(err)
      else resolve(rows)
    })
  })
}

async function idsInJournal(file: string): Promise<Set<string>> {
  return new Set((await journalRows<{ id: string }>(file, 'SELECT id FROM events')).map((r) => r.id))
}

/** A port the OS picks, free again at once: the gateway must come back on the address producers know. */
async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

/** probe number -> the seqs of the rows that carry it. */
async function probesInJournal(file: string): Promise<Map<number, number[]>> {
  const m = new Map<number, number[]>()
  for (const r of await journalRows<{ body: string }>(file, "SELECT body FROM events WHERE device = 'intercom-1'")) {
    const ev = JSON.parse(r.body) as { seq: number; attrs: { probe: number } }
    m.set(ev.attrs.probe, [...(m.get(ev.attrs.probe) ?? []), ev.seq])
  }
  return m
}

describe('ingest gate: commit before PUBACK, across kill -9 and SIGTERM', () => {
  let gw: SpawnedGateway | undefined
  let dir: string | undefined
  afterEach(async () => {
    await gw?.kill9()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('every PUBACKed event is in SQLite, even when the gateway is killed -9 right after the PUBACK', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-kill-'))
    const config = harnessConfig(dir, 'mqtt://127.0.0.1:9', { devices, noUplink: true })
    gw = await spawnGateway(writeConfig(config, dir))
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.brokerPort}`, { username: PRODUCER.username, password: PRODUCER.password, reconnectPeriod: 0 })
    c.on('error', () => undefined)
    const acked: string[] = []
    let killed: Promise<void> | undefined
    let onKill: () => void = () => undefined
    const killStarted = new Promise<void>((r) => {
      onKill = r
    })
    const sends = Array.from({ length: 200 }, () => {
      const id = randomUUID()
      return c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ id, type: 'door.open' }), { qos: 1 }).then(
        () => {
          acked.push(id)
          // Kill at once when the 50th PUBACK arrives: nothing after the ack gets a chance to run.
          if (acked.length === 50) {
            killed = gw!.kill9()
            onKill()
          }
        },
        () => undefined,
      )
    })
    await Promise.race([Promise.all(sends), killStarted])
    await killed
    gw = undefined
    c.end(true)
    expect(acked.length).toBeGreaterThanOrEqual(50)
    const stored = await idsInJournal(config.journal.path)
    for (const id of acked) expect(stored.has(id)).toBe(true)
  })

  it('SIGTERM while a producer publishes stores nothing twice and loses nothing acknowledged, for a producer that sends no ids of its own', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-stop-'))
    const config = harnessConfig(dir, 'mqtt://127.0.0.1:1', { noUplink: true, devices })
    config.broker.port = await freePort()
    config.log.level = 'info'
    const file = writeConfig(config, dir)
    gw = await spawnGateway(file)

    // A producer with a persistent session: it resends what was not acknowledged after it reconnects.
    const producer = mqtt.connect(`mqtt://127.0.0.1:${config.broker.port}`, {
      username: PRODUCER.username,
      password: PRODUCER.password,
      clientId: 'probe-producer',
      clean: false,
      reconnectPeriod: 50,
    })
    producer.on('error', () => undefined)
    const TOTAL = 1500
    const WINDOW = 50
    const acked = new Set<number>()
    let next = 1
    let onAck: () => void = () => undefined
    const allAcked = new Promise<void>((resolve, reject) => {
      const send = () => {
        const probe = next++
        producer.publish(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.open', attrs: { probe } }), { qos: 1 }, (err) => {
          if (err) return reject(err)
          acked.add(probe)
          onAck()
          if (acked.size === TOTAL) resolve()
          else if (next <= TOTAL) send()
        })
      }
      for (let i = 0; i < WINDOW; i++) send()
    })

    // SIGTERM mid-stream, with a full window of publishes in flight.
    await new Promise<void>((r) => {
      onAck = () => {
        if (acked.size >= 300) r()
      }
    })
    onAck = () => undefined
    expect(await gw.stop()).toBe(0)
    const ackedAtStop = new Set(acked)
    expect(ackedAtStop.size).toBeLessThan(TOTAL)

    gw = await spawnGateway(file)
    await allAcked
    await producer.endAsync()
    expect(await gw.stop()).toBe(0)
    gw = undefined

    const stored = await probesInJournal(config.journal.path)
    const twice = [...stored].filter(([, seqs]) => seqs.length > 1)
    expect(twice).toEqual([])
    for (const p of ackedAtStop) expect(stored.has(p)).toBe(true)
    expect(stored.size).toBe(TOTAL)
  })
})

describe('broker', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('refuses a malformed payload, logs the producer and the reason, and keeps going', async () => {
    h = await startHarness({ devices })
    const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), '{"type": "door.open", ', { qos: 1 })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'lock.raised' }), { qos: 1 })
    await c.publishAsync(topics.ingest(SITE, 'intercom-2'), JSON.stringify({ type: 'door.open', extra: 1 }), { qos: 1 })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.forced' }), { qos: 1 })
    const refused = h.logs.find('ingest payload refused')
    expect(refused.map((l) => [l['producer'], l['device']])).toEqual([
      [PRODUCER.username, 'intercom-1'],
      [PRODUCER.username, 'intercom-1'],
      [PRODUCER.username, 'intercom-2'],
    ])
    expect(String(refused[0]!['reason'])).toMatch(/not JSON/)
    expect(String(refused[1]!['reason'])).toMatch(/"lock.raised" is not in the list for kind "access"/)
    expect(String(refused[2]!['reason'])).toMatch(/extra/)
    const good = await h.platform.waitForEvent((e) => e.device === 'intercom-1' && e.type === 'door.forced')
    expect(good.seq).toBe(1)
    const report = await h.platform.waitForEvent((e) => e.type === 'ingest.rejected')
    expect(report.attrs).toMatchObject({ producer: PRODUCER.username, device: 'intercom-1' })
    await c.endAsync()
  })

  it('a repeated producer id is acknowledged again but stored once', async () => {
    h = await startHarness({ devices })
    const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    const payload = JSON.stringify({ id: randomUUID(), type: 'door.open' })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), payload, { qos: 1 })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), payload, { qos: 1 })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.closed' }), { qos: 1 })
    await h.platform.waitForEvent((e) => e.type === 'door.closed')
    expect(h.platform.events.filter((e) => e.device === 'intercom-1').map((e) => [e.type, e.seq])).toEqual([
      ['door.open', 1],
      ['door.closed', 2],
    ])
    expect(h.gateway.journal.stats().duplicates).toBe(1)
    await c.endAsync()
  })

  it('refuses wrong credentials and anonymous clients, and logs each', async () => {
    h = await startHarness({ devices })
    await expect(mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: 'wrong-password', reconnectPeriod: 0 })).rejects.toThrow(
      /Bad username or password/,
    )
    await expect(mqtt.connectAsync(h.brokerUrl, { reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/)
    await h.logs.waitFor('broker login refused: bad username or password', { username: PRODUCER.username })
    await h.logs.waitFor('broker login refused: no credentials')
    expect(h.logs.text()).not.toContain('wrong-password')
  })

  it('holds producers and observers to the ACL', async () => {
    h = await startHarness({ devices, producerDevices: ['intercom-1'] })
    const observer = await mqtt.connectAsync(h.brokerUrl, { username: OBSERVER.username, password: OBSERVER.password })
    const granted = await observer.subscribeAsync(topics.allEvents(SITE), { qos: 1 })
    expect(granted.map((g) => g.qos)).toEqual([1])
    // SUBACK 0x80 for a filter outside the ACL [MQTT-3.9.3]; mqtt.js reports it as an error.
    await expect(observer.subscribeAsync(topics.ingest(SITE, 'intercom-1'), { qos: 1 })).rejects.toThrow(/Subscribe error/)
    await h.logs.waitFor('subscription refused by the ACL', { username: OBSERVER.username })

    const producer = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password, reconnectPeriod: 0 })
    producer.on('error', () => undefined)
    const closed = new Promise<void>((r) => producer.once('close', () => r()))
    producer.publish(topics.ingest(SITE, 'intercom-2'), JSON.stringify({ type: 'door.open' }), { qos: 1 })
    await closed
    await h.logs.waitFor('publish refused by the ACL', { username: PRODUCER.username, topic: topics.ingest(SITE, 'intercom-2') })
    expect(h.gateway.journal.stats().appended).toBe(1) // gateway.started only
    await observer.endAsync()
  })

  it('observers see each event on its topic after commit, and retained device state', async () => {
    h = await startHarness({ devices })
    const observer = await mqtt.connectAsync(h.brokerUrl, { username: OBSERVER.username, password: OBSERVER.password })
    const got: Array<[string, string]> = []
    observer.on('message', (t, p) => got.push([t, p.toString()]))
    await observer.subscribeAsync([topics.allEvents(SITE), topics.allStates(SITE), topics.gatewayStatus(SITE)], { qos: 1 })
    const producer = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    await producer.publishAsync(topics.ingest(SITE, 'intercom-2'), JSON.stringify({ type: 'door.held' }), { qos: 1 })
    for (let i = 0; i < 100 && !got.some(([t]) => t === topics.state(SITE, 'intercom-2')); i++) await new Promise((r) => setTimeout(r, 20))
    const ev = got.find(([t]) => t === topics.event(SITE, 'access', 'intercom-2'))
    expect(JSON.parse(ev![1])).toMatchObject({ type: 'door.held', seq: 1 })
    const state = got.find(([t]) => t === topics.state(SITE, 'intercom-2'))
    expect(JSON.parse(state![1])).toMatchObject({ device: 'intercom-2', online: true })
    expect(got.some(([t]) => t === topics.gatewayStatus(SITE))).toBe(true)
    await observer.endAsync()
    await producer.endAsync()
  })
})
