import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { ConfigSchema, type GatewayConfig } from '../config/schema.js'
import { topics } from '../base/events/topics.js'
import { nowMs, percentile, round, sleep } from './lib/stats.js'
import { startGatewayProcess, type Child } from './lib/procs.js'
import { fillJournal } from './lib/fill-journal.js'
import { openSse } from './lib/sse.js'
import { startLiveReaders } from './lib/readers.js'
import { p50p99, queryLatencies, rawNewestPage, timedGet, type QueryClass } from './api-query.js'

const SITE = 'bench'
const TOKEN = 'bench-api-token-0123456789'
const PRODUCER = { username: 'bench-producer', password: 'bench-producer-pw' }
const OBSERVER = { username: 'bench-observer', password: 'bench-observer-pw' }
const PRODUCERS = 10
const ROWS = Number(process.env['PINGAN_BENCH_ROWS'] ?? 1_000_000)
const DEVICES = 200
const SPAN_MS = 7 * 86_400_000
/** PINGAN_BENCH_PARTS=query,live,fanout runs only those parts. */
const PARTS = new Set((process.env['PINGAN_BENCH_PARTS'] ?? 'query,live,fanout').split(','))

function config(dir: string, journal: string): GatewayConfig {
  const devices = Array.from({ length: PRODUCERS }, (_, i) => ({ id: `dev${i}`, adapter: 'mqtt-ingest', kind: 'alarm' }))
  mkdirSync(dir, { recursive: true })
  return ConfigSchema.parse({
    version: 1,
    site: { id: SITE, name: 'Benchmark' },
    broker: {
      host: '127.0.0.1',
      port: 0,
      users: [
        { ...PRODUCER, role: 'producer', devices: devices.map((d) => d.id) },
        { ...OBSERVER, role: 'observer' },
      ],
    },
    api: { host: '127.0.0.1', port: 0, tokens: [TOKEN] },
    journal: { path: journal, maxRows: 3_000_000, maxBytes: 4 * 1024 ** 3, spareBytes: 0 },
    devices,
    log: { level: 'info' },
  })
}

async function gateway(dir: string, journal = join(dir, 'journal.db')): Promise<{ gw: Child; base: string; brokerUrl: string }> {
  const gw = await startGatewayProcess(config(dir, journal), dir)
  return { gw, base: `http://127.0.0.1:${Number(gw.info['apiPort'])}`, brokerUrl: `mqtt://127.0.0.1:${Number(gw.info['brokerPort'])}` }
}

/** Events query over a full journal, through HTTP with filters and paging; ceilings: HTTP floor, raw SQLite. */
async function queryPart(dir: string, out: Record<string, number | string>, log: (l: string) => void): Promise<void> {
  const path = join(dir, 'query', 'journal.db')
  mkdirSync(join(dir, 'query'), { recursive: true })
  const f = await fillJournal(path, ROWS, DEVICES, SPAN_MS)
  log(`filled ${f.rows} rows at ${f.rowsPerSec} rows/s`)
  const { gw, base } = await gateway(join(dir, 'query'), path)
  try {
    const hour = (i: number) => {
      const from = f.fromMs + ((i * 7919) % 160) * 3_600_000
      return `from=${new Date(from).toISOString()}&to=${new Date(from + 3_600_000).toISOString()}`
    }
    const classes: QueryClass[] = [
      { name: 'newest', query: () => 'limit=100' },
      { name: 'device', query: (i) => `device=dev${(i * 37) % DEVICES}&limit=100` },
      { name: 'kind', query: (i) => `kind=${['alarm', 'access', 'parking', 'camera'][i % 4]}&limit=100` },
      { name: 'type', query: (i) => `type=${['fire', 'door.forced', 'access.denied', 'tamper'][i % 4]}&limit=100` },
      { name: 'priority', query: (i) => `priority=${1 + (i % 4)}&limit=100` },
      { name: 'time range (1 h)', query: (i) => `${hour(i)}&limit=100` },
      { name: 'device + time range', query: (i) => `device=dev${(i * 37) % DEVICES}&${hour(i)}&limit=100` },
      // `to` days back: the events_received index gives its position (time-bounds.ts), no walk of the newer rows.
      { name: 'to 6 days back', query: (i) => `to=${new Date(f.fromMs + 86_400_000 - i * 60_000).toISOString()}&limit=100` },
      // A card number: in one or two events. No index serves LIKE: each page examines at most the scan
      // budget's rows and, short of 100 matches, answers complete: false with a cursor further back.
      { name: 'free text', query: (i) => `q=${100_000 + ((i * 7_777) % 900_000)}&limit=100` },
    ]
    for (let i = 0; i < 20; i++) await timedGet(base, TOKEN, '/api/v1/events?limit=100') // warm-up (JIT, page cache)
    const lat = await queryLatencies(base, TOKEN, classes, 100, { query: 'kind=alarm&limit=100', pages: 20, runs: 5 })
    const every = [...lat.values()].flat()
    const indexed = [...lat].filter(([name]) => name !== 'free text').flatMap(([, ms]) => ms)
    const floor: number[] = []
    for (let i = 0; i < 300; i++) floor.push((await timedGet(base, TOKEN, '/healthz')).ms)
    const raw = await rawNewestPage(path, 300)
    out[`events query over ${ROWS.toLocaleString('en')} rows, p99 ms (every class, ${every.length} requests)`] = round(percentile(every, 99))
    out['events query, p50 ms (every class)'] = round(percentile(every, 50))
    out[`events query, p99 ms (filters and paging, no free text; ${indexed.length} requests)`] = round(percentile(indexed, 99))
    for (const [name, ms] of lat) out[`events query ${name}, p50 / p99 ms`] = p50p99(ms)
    out['HTTP floor: GET /healthz, p50 / p99 ms'] = p50p99(floor)
    out['raw SQLite newest 100 bodies, p50 / p99 ms'] = p50p99(raw)
    out['journal fill, rows/s (one transaction)'] = f.rowsPerSec
    log(`query p99 ${round(percentile(every, 99))} ms over ${every.length} requests; healthz p99 ${round(percentile(floor, 99))} ms`)
  } finally {
    await gw.stop()
  }
}

/** Publishes at `rate`/s for `seconds` with the publish time in attrs.t. */
async function paced(producer: MqttClient, rate: number, seconds: number): Promise<void> {
  const end = nowMs() + seconds * 1000
  let owed = 0
  while (nowMs() < end) {
    owed += rate / 100
    for (; owed >= 1; owed--) producer.publish(topics.ingest(SITE, 'dev0'), `{"type":"test","attrs":{"t":${nowMs()}}}`, { qos: 1 })
    await sleep(10)
  }
}

/** Latency from publish to an SSE client at 100 events/s; the ceiling: the local broker's own event subscriber. */
async function livePart(dir: string, out: Record<string, number | string>, log: (l: string) => void): Promise<void> {
  const { gw, base, brokerUrl } = await gateway(join(dir, 'live'))
  const producer = await mqtt.connectAsync(brokerUrl, { ...PRODUCER, reconnectPeriod: 0 })
  const observer = await mqtt.connectAsync(brokerUrl, { ...OBSERVER, reconnectPeriod: 0 })
  let measuring = false
  const sse: number[] = []
  const local: number[] = []
  const client = openSse(`${base}/api/v1/events/live`, TOKEN, (m) => {
    if (m.event !== 'event' || !measuring) return
    const t = (JSON.parse(m.data) as { attrs?: { t?: number } }).attrs?.t
    if (t !== undefined) sse.push(nowMs() - t)
  })
  try {
    await client.opened
    await observer.subscribeAsync(topics.allEvents(SITE), { qos: 1 })
    observer.on('message', (_topic, p) => {
      const m = /"t":([0-9.]+)/.exec(p.toString())
      if (m && measuring) local.push(nowMs() - Number(m[1]))
    })
    await paced(producer, 100, 2) // warm-up, not counted
    measuring = true
    await paced(producer, 100, 10)
    await sleep(500)
    measuring = false
    out['live stream at 100 events/s, publish -> SSE client, p50 / p99 ms'] = p50p99(sse)
    out['same events, publish -> local MQTT subscriber (after commit), p50 / p99 ms'] = p50p99(local)
    out['SSE p99 / local MQTT p99'] = round(percentile(sse, 99) / percentile(local, 99))
    out['live samples (SSE, MQTT)'] = `${sse.length}, ${local.length}`
    log(`live: SSE ${p50p99(sse)} ms, local MQTT ${p50p99(local)} ms (${sse.length}/${local.length} samples)`)
  } finally {
    client.close()
    await Promise.all([producer.endAsync(), observer.endAsync()])
    await gw.stop()
  }
}

/** QoS 1 flood from 10 producers; acknowledged (so committed) events per second. */
async function flood(brokerUrl: string, per: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: PRODUCERS }, () => mqtt.connectAsync(brokerUrl, { ...PRODUCER, reconnectPeriod: 0 })))
  const t0 = nowMs()
  await Promise.all(
    clients.map((c, i) =>
      Promise.all(Array.from({ length: per }, () => c.publishAsync(topics.ingest(SITE, `dev${i}`), '{"type":"test","attrs":{"n":1}}', { qos: 1 }))),
    ),
  )
  const rate = (PRODUCERS * per * 1000) / (nowMs() - t0)
  await Promise.all(clients.map((c) => c.endAsync()))
  return rate
}

/** Pipeline throughput with 10 live-stream clients attached against none, on one gateway: none, ten, none. */
async function fanoutPart(dir: string, out: Record<string, number | string>, log: (l: string) => void): Promise<void> {
  const { gw, base, brokerUrl } = await gateway(join(dir, 'fanout'))
  const per = 5000
  try {
    await flood(brokerUrl, 500) // warm-up
    const none1 = await flood(brokerUrl, per)
    log(`no live client: ${Math.round(none1)} events/s`)
    // The readers run in a process of their own: in this one they would wait behind the producers.
    const readers = await startLiveReaders(`${base}/api/v1/events/live`, TOKEN, 10)
    log('10 live readers attached')
    const ten = await flood(brokerUrl, per)
    log(`10 live readers: ${Math.round(ten)} events/s`)
    await sleep(1000)
    const { readerCounts: got, overflows, reopened } = await readers.stop()
    const none2 = await flood(brokerUrl, per)
    const none = (none1 + none2) / 2
    out['pipeline, events/s committed (10 producers, QoS 1), no live client'] = `${Math.round(none)} (${Math.round(none1)}, ${Math.round(none2)})`
    out['pipeline, events/s, 10 live clients reading'] = Math.round(ten)
    out['10 live clients / none'] = round(ten / none)
    out['live clients: events received, min / max; overflows (the client reopened)'] = `${Math.min(...got)} / ${Math.max(...got)}; ${overflows} (${reopened})`
    log(
      `fan-out: none ${Math.round(none1)}, ${Math.round(none2)}; ten ${Math.round(ten)} events/s; clients got ${Math.min(...got)}-${Math.max(...got)}, overflows ${overflows}, reopened ${reopened}`,
    )
  } finally {
    await gw.stop()
  }
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-api-'))
  const out: Record<string, number | string> = {}
  try {
    if (PARTS.has('query')) await queryPart(dir, out, log)
    if (PARTS.has('live')) await livePart(dir, out, log)
    if (PARTS.has('fanout')) await fanoutPart(dir, out, log)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}
