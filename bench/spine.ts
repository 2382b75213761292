import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import sqlite3 from 'sqlite3'
import { UuidV7Generator } from '../base/events/uuidv7.js'
import { topics } from '../base/events/topics.js'
import { nowMs, percentile, round, sleep } from './lib/stats.js'
import { cpuMs, mainThreadCpuMs, rssBytes, startGatewayProcess, startRawBroker, type Child } from './lib/procs.js'
import { PRODUCERS, SITE, config, connect, flood, prefill } from './lib/spine-kit.js'
import { fsyncFloor } from './lib/disk.js'

const DRAIN_EVENTS = Number(process.env['PINGAN_BENCH_DRAIN'] ?? 1_000_000)
/** PINGAN_BENCH_PARTS=ingest,cpu,latency,drain runs only those parts (the ceilings always run). */
const PARTS = new Set((process.env['PINGAN_BENCH_PARTS'] ?? 'ingest,cpu,latency,drain').split(','))
/**
 * PINGAN_BENCH_FORWARD=1: the ingest and CPU parts run with the platform uplink configured, so the
 * gateway forwards every event while it takes them in (as on a site), instead of only committing them.
 */
const FORWARD = process.env['PINGAN_BENCH_FORWARD'] === '1'

/** Offers `rate` events/s for `seconds` (after `warmup` s not counted) and returns latencies in ms. */
async function paced(producer: MqttClient, consumer: MqttClient, topic: string, rate: number, seconds: number, warmup = 2): Promise<number[]> {
  const lat: number[] = []
  let measuring = false
  const onMsg = (_t: string, p: Buffer) => {
    const m = /"t":([0-9.]+)/.exec(p.toString())
    if (m && measuring) lat.push(nowMs() - Number(m[1]))
  }
  consumer.on('message', onMsg)
  const tickMs = 10
  const perTick = rate / (1000 / tickMs)
  let owed = 0
  const run = async (s: number) => {
    const end = nowMs() + s * 1000
    while (nowMs() < end) {
      owed += perTick
      while (owed >= 1) {
        owed--
        producer.publish(topic, `{"type":"test","attrs":{"t":${nowMs()}}}`, { qos: 1 })
      }
      await sleep(tickMs)
    }
  }
  await run(warmup)
  measuring = true
  await run(seconds)
  await sleep(500)
  measuring = false
  consumer.off('message', onMsg)
  return lat
}

/** Offers `rate` events/s spread over `producers` (2 s of warm-up, then `seconds` measured); the gateway's CPU per acknowledged event. */
async function cpuAtRate(
  producers: MqttClient[],
  pid: number,
  rate: number,
  seconds: number,
): Promise<{ cpuUsPerEvent: number; mainUsPerEvent: number; ackedRate: number }> {
  let acked = 0
  const tickMs = 10
  const perTick = rate / (1000 / tickMs)
  let owed = 0
  let next = 0
  const run = async (s: number) => {
    const end = nowMs() + s * 1000
    while (nowMs() < end) {
      for (owed += perTick; owed >= 1; owed--) {
        const i = next++ % producers.length
        producers[i]!.publish(topics.ingest(SITE, `dev${i}`), '{"type":"test","attrs":{"n":1}}', { qos: 1 }, () => {
          acked++
        })
      }
      await sleep(tickMs)
    }
  }
  await run(2)
  const c0 = cpuMs(pid)
  const m0 = mainThreadCpuMs(pid)
  const a0 = acked
  const t0 = nowMs()
  await run(seconds)
  const n = acked - a0
  return {
    cpuUsPerEvent: ((cpuMs(pid) - c0) * 1000) / n,
    mainUsPerEvent: ((mainThreadCpuMs(pid) - m0) * 1000) / n,
    ackedRate: (n * 1000) / (nowMs() - t0),
  }
}

async function sqliteCeiling(dir: string): Promise<{ multiRow: number; perRow: number }> {
  const db = new sqlite3.Database(join(dir, 'raw.db'))
  const exec = (sql: string) => new Promise<void>((r, j) => db.exec(sql, (e) => (e ? j(e) : r())))
  const run = (sql: string, p: unknown[]) => new Promise<void>((r, j) => db.run(sql, p, (e: Error | null) => (e ? j(e) : r())))
  // The journal's shape: a UUIDv7 id (time-ordered, so the unique index appends) and a JSON body.
  await exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t (pos INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, device TEXT, body TEXT)')
  const ids = new UuidV7Generator()
  const body = JSON.stringify({ type: 'test', attrs: { pad: 'x'.repeat(200) } })
  const rows = 200_000
  let t0 = nowMs()
  for (let tx = 0; tx < rows / 2000; tx++) {
    await exec('BEGIN')
    for (let s = 0; s < 5; s++) {
      const p: unknown[] = []
      for (let i = 0; i < 400; i++) p.push(ids.next(), `d${i % 10}`, body)
      await run(`INSERT INTO t (id, device, body) VALUES ${new Array(400).fill('(?,?,?)').join(',')}`, p)
    }
    await exec('COMMIT')
  }
  const multiRow = (rows * 1000) / (nowMs() - t0)
  t0 = nowMs()
  await exec('BEGIN')
  for (let i = 0; i < 20_000; i++) await run('INSERT INTO t (id, device, body) VALUES (?,?,?)', [ids.next(), 'd', body])
  await exec('COMMIT')
  const perRow = (20_000 * 1000) / (nowMs() - t0)
  await new Promise((r) => db.close(r))
  return { multiRow: Math.round(multiRow), perRow: Math.round(perRow) }
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-'))
  const out: Record<string, number | string> = {}
  const children: Child[] = []
  try {
    // 1. The ceilings: raw SQLite and a bare aedes broker in its own process.
    const sq = await sqliteCeiling(dir)
    out['sqlite multi-row insert, rows/s (WAL, FULL)'] = sq.multiRow
    out['sqlite one statement per row, rows/s'] = sq.perRow
    log(`sqlite: ${sq.multiRow} rows/s multi-row, ${sq.perRow} rows/s per row`)

    const raw = await startRawBroker()
    children.push(raw)
    const rawPort = Number(raw.info['rawBrokerPort'])
    const rawClients = await Promise.all(Array.from({ length: PRODUCERS }, () => connect(rawPort, false)))
    const rawCpu0 = cpuMs(raw.child.pid!)
    const rawRate = await flood(
      rawClients,
      10_000,
      (i) => `raw/${i}`,
      () => '{"type":"test"}',
    )
    // The bare broker's CPU per message in its flood: the same-run floor for the gateway's CPU per event.
    const rawCpuUs = ((cpuMs(raw.child.pid!) - rawCpu0) * 1000) / (PRODUCERS * 10_000)
    out['raw aedes QoS 1 flood, msg/s (10 producers)'] = Math.round(rawRate)
    out['raw aedes CPU per message in its flood, µs'] = round(rawCpuUs, 1)
    log(`raw aedes QoS 1: ${Math.round(rawRate)} msg/s, ${round(rawCpuUs, 1)} µs of CPU per message`)
    for (const c of rawClients) c.end(true)

    // The platform: a bare aedes broker in its own process (the ingest and CPU parts forward to it with PINGAN_BENCH_FORWARD=1).
    const platform = await startRawBroker()
    children.push(platform)
    const platformPort = Number(platform.info['rawBrokerPort'])
    const ingestUplink = FORWARD ? platformPort : undefined
    if (FORWARD) out['ingest and CPU parts forward to the platform'] = 'yes'

    // 2. Durable ingest: 10 producers flood the ingest gate; each PUBACK means committed.
    if (PARTS.has('ingest')) {
      const gwIngest = await startGatewayProcess(config(join(dir, 'ingest'), ingestUplink), join(dir))
      children.push(gwIngest)
      const port = Number(gwIngest.info['brokerPort'])
      const producers = await Promise.all(Array.from({ length: PRODUCERS }, () => connect(port)))
      const gwPid = gwIngest.child.pid!
      const cpu0 = { all: cpuMs(gwPid), main: mainThreadCpuMs(gwPid) }
      const ingestRate = await flood(
        producers,
        10_000,
        (i) => topics.ingest(SITE, `dev${i}`),
        () => '{"type":"test","attrs":{"n":1}}',
      )
      out['durable ingest, events/s acknowledged (10 producers, QoS 1)'] = Math.round(ingestRate)
      out['durable ingest / raw aedes'] = round(ingestRate / rawRate, 2)
      const floodUs = ((cpuMs(gwPid) - cpu0.all) * 1000) / (PRODUCERS * 10_000)
      const floodMainUs = ((mainThreadCpuMs(gwPid) - cpu0.main) * 1000) / (PRODUCERS * 10_000)
      out['gateway CPU per event in the ingest flood, µs'] = round(floodUs, 1)
      out['of which on the main thread, µs (flood)'] = round(floodMainUs, 1)
      log(
        `durable ingest: ${Math.round(ingestRate)} events/s (${round(ingestRate / rawRate, 2)} of raw); CPU ${round(floodUs, 1)} µs per event, main thread ${round(floodMainUs, 1)}`,
      )
      for (const c of producers) c.end(true)
      await gwIngest.stop()
      children.pop()
    }

    // 2b. Gateway CPU per event: 10 producers offer 10,000 events/s together for 6 s after 2 s of
    // warm-up; the gateway process's user+system time over the measured seconds, per event acknowledged.
    if (PARTS.has('cpu')) {
      const gwCpu = await startGatewayProcess(config(join(dir, 'cpu'), ingestUplink), join(dir))
      children.push(gwCpu)
      const producers = await Promise.all(Array.from({ length: PRODUCERS }, () => connect(Number(gwCpu.info['brokerPort']))))
      const r = await cpuAtRate(producers, gwCpu.child.pid!, 10_000, 6)
      out['gateway CPU per event at 10,000/s offered, µs'] = round(r.cpuUsPerEvent, 1)
      out['of which on the main thread, µs'] = round(r.mainUsPerEvent, 1)
      out['events/s acknowledged while offered 10,000/s'] = Math.round(r.ackedRate)
      log(
        `cpu at 10,000/s offered: ${round(r.cpuUsPerEvent, 1)} µs per event, main thread ${round(r.mainUsPerEvent, 1)} µs (${Math.round(r.ackedRate)} events/s acknowledged)`,
      )
      for (const c of producers) c.end(true)
      await gwCpu.stop()
      children.pop()
    }

    // 3. End-to-end latency: producer -> gateway (commit) -> platform broker -> consumer.
    if (PARTS.has('latency')) {
      const gw = await startGatewayProcess(config(join(dir, 'e2e'), platformPort), join(dir))
      children.push(gw)
      const producer = await connect(Number(gw.info['brokerPort']))
      const consumer = await connect(platformPort, false)
      await consumer.subscribeAsync(topics.allEvents(), { qos: 1 })
      const rawProducer = await connect(rawPort, false)
      const rawConsumer = await connect(rawPort, false)
      await rawConsumer.subscribeAsync('lat/#', { qos: 1 })
      // What a durable commit costs on this disk, just before the runs it bounds.
      const floor = fsyncFloor(dir)
      out['disk: 4 KiB append + fdatasync, p50 ms'] = floor.p50
      out['disk: 4 KiB append + fdatasync, p99 ms'] = floor.p99
      log(`disk fsync floor: p50 ${floor.p50} p99 ${floor.p99} ms`)
      for (const rate of [100, 1000, 5000]) {
        const seconds = rate === 5000 ? 6 : 8
        const l = await paced(producer, consumer, topics.ingest(SITE, 'dev0'), rate, seconds)
        const r = await paced(rawProducer, rawConsumer, 'lat/x', rate, seconds)
        out[`e2e latency at ${rate}/s, p50 ms`] = round(percentile(l, 50))
        out[`e2e latency at ${rate}/s, p99 ms`] = round(percentile(l, 99))
        out[`raw aedes latency at ${rate}/s, p50 ms`] = round(percentile(r, 50))
        out[`raw aedes latency at ${rate}/s, p99 ms`] = round(percentile(r, 99))
        out[`e2e p99 / raw p99 at ${rate}/s`] = round(percentile(l, 99) / percentile(r, 99))
        log(
          `latency at ${rate}/s: e2e p50 ${round(percentile(l, 50))} p99 ${round(percentile(l, 99))} ms (${l.length} samples); raw p50 ${round(percentile(r, 50))} p99 ${round(percentile(r, 99))} ms`,
        )
      }
      for (const c of [producer, consumer, rawProducer, rawConsumer]) c.end(true)
      await gw.stop()
      children.pop()
    }

    // 4. Backlog drain: a journal holding DRAIN_EVENTS undelivered events, forwarded to the platform broker.
    if (PARTS.has('drain')) {
      const drainDir = join(dir, 'drain')
      const fillRate = await prefill(drainDir, DRAIN_EVENTS)
      log(`prefilled ${DRAIN_EVENTS} events at ${Math.round(fillRate)} events/s`)
      const counter = await connect(platformPort, false)
      let received = 0
      counter.on('message', () => {
        received++
      })
      await counter.subscribeAsync('#', { qos: 0 })
      // The ceiling, under the same conditions: one client, QoS 1, to the platform broker, which
      // also delivers each message to the counting subscriber.
      // 50,000: one client cannot have more than 65,535 QoS 1 messages outstanding [MQTT-2.3.1].
      const one = await connect(platformPort, false)
      const rawToPlatform = await flood(
        [one],
        50_000,
        () => 'raw/drain',
        () => '{"type":"test"}',
      )
      out['raw QoS 1 to the platform broker, msg/s (1 client, 1 subscriber)'] = Math.round(rawToPlatform)
      one.end(true)
      await sleep(500)
      received = 0
      const t0 = nowMs()
      const drainGw = await startGatewayProcess(config(drainDir, platformPort), join(dir))
      children.push(drainGw)
      let maxRss = 0
      const pid = drainGw.child.pid!
      let cpu = { all: 0, main: 0 }
      while (received < DRAIN_EVENTS) {
        cpu = { all: cpuMs(pid), main: mainThreadCpuMs(pid) }
        if (drainGw.child.exitCode !== null || drainGw.child.signalCode !== null)
          throw new Error(`the gateway exited during the drain (${drainGw.child.exitCode ?? drainGw.child.signalCode})`)
        maxRss = Math.max(maxRss, rssBytes(pid))
        await sleep(200)
        if (nowMs() - t0 > 30 * 60_000) throw new Error(`drain stalled at ${received}`)
      }
      const drainRate = (DRAIN_EVENTS * 1000) / (nowMs() - t0)
      out['backlog drain, events/s (1,000,000 buffered, incl. start-up)'] = Math.round(drainRate)
      out['gateway max RSS during drain, MB'] = round(maxRss / 1024 / 1024, 1)
      // CPU read at the last poll before the end (200 ms at most before), start-up included.
      out['drain: gateway CPU per event, µs'] = round((cpu.all * 1000) / DRAIN_EVENTS, 1)
      out['drain: of which on the main thread, µs'] = round((cpu.main * 1000) / DRAIN_EVENTS, 1)
      log(
        `drain: ${Math.round(drainRate)} events/s, max RSS ${round(maxRss / 1024 / 1024, 1)} MB, CPU ${round((cpu.all * 1000) / DRAIN_EVENTS, 1)} µs per event (main thread ${round((cpu.main * 1000) / DRAIN_EVENTS, 1)})`,
      )
      counter.end(true)
      await drainGw.stop()
      children.pop()
      out['drain / raw QoS 1'] = round(drainRate / rawToPlatform, 2)
    }
  } finally {
    for (const c of children.reverse()) await c.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}
