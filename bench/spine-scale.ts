import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { topics } from '../base/events/topics.js'
import { nowMs, percentile, round } from './lib/stats.js'
import { cpuMs, startGatewayProcess } from './lib/procs.js'
import { SITE, config, connect, prefill } from './lib/spine-kit.js'

/**
 * How durable ingest's cost grows (`npm run bench -- spine-scale`; not in the default run): with the
 * number of producer connections, of devices, and with the rows already in the journal. Each point
 * is a fresh gateway process flooded with EVENTS QoS 1 publishes; it reports the rate acknowledged,
 * the p99 from publish to PUBACK, and the gateway's CPU per event.
 */
const EVENTS = Number(process.env['PINGAN_BENCH_SCALE_EVENTS'] ?? 20_000)
const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').filter(Boolean).map(Number)
const PRODUCER_COUNTS = list('PINGAN_BENCH_SCALE_PRODUCERS', '1,10,100,1000')
const DEVICE_COUNTS = list('PINGAN_BENCH_SCALE_DEVICES', '10,100,1000')
const JOURNAL_ROWS = list('PINGAN_BENCH_SCALE_ROWS', '0,1000000,3000000')
/** Connections opened at once: each login costs a scrypt derivation on the gateway. */
const CONNECT_BATCH = 50

interface Point {
  rate: number
  p99Ms: number
  cpuUsPerEvent: number
}

async function connectMany(port: number, n: number): Promise<MqttClient[]> {
  const out: MqttClient[] = []
  while (out.length < n) out.push(...(await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, n - out.length) }, () => connect(port)))))
  return out
}

/** EVENTS publishes spread over the producers, each producer cycling over its share of `devices`. */
async function floodMeasured(producers: MqttClient[], devices: number, pid: number): Promise<Point> {
  const per = Math.ceil(EVENTS / producers.length)
  const lat: number[] = []
  const c0 = cpuMs(pid)
  const t0 = nowMs()
  await Promise.all(
    producers.map((c, i) =>
      Promise.all(
        Array.from({ length: per }, (_, k) => {
          const sent = nowMs()
          const device = `dev${(i + k * producers.length) % devices}`
          return c.publishAsync(topics.ingest(SITE, device), '{"type":"test","attrs":{"n":1}}', { qos: 1 }).then(() => {
            lat.push(nowMs() - sent)
          })
        }),
      ),
    ),
  )
  const ms = nowMs() - t0
  const n = per * producers.length
  return { rate: (n * 1000) / ms, p99Ms: percentile(lat, 99), cpuUsPerEvent: ((cpuMs(pid) - c0) * 1000) / n }
}

async function point(dir: string, producers: number, devices: number, rows = 0): Promise<Point> {
  mkdirSync(dir, { recursive: true })
  if (rows > 0) await prefill(dir, rows)
  const gw = await startGatewayProcess(config(dir, undefined, Math.max(devices, producers)), dir)
  try {
    const clients = await connectMany(Number(gw.info['brokerPort']), producers)
    const r = await floodMeasured(clients, devices, gw.child.pid!)
    for (const c of clients) c.end(true)
    return r
  } finally {
    await gw.stop()
  }
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const root = mkdtempSync(join(tmpdir(), 'pingan-bench-scale-'))
  const out: Record<string, number | string> = { 'events per point': EVENTS }
  let k = 0
  const record = (label: string, r: Point) => {
    out[`${label}: events/s`] = Math.round(r.rate)
    out[`${label}: PUBACK p99 ms`] = round(r.p99Ms)
    out[`${label}: CPU µs/event`] = round(r.cpuUsPerEvent, 1)
    log(`${label}: ${Math.round(r.rate)} events/s, PUBACK p99 ${round(r.p99Ms)} ms, ${round(r.cpuUsPerEvent, 1)} µs CPU per event`)
  }
  try {
    for (const p of PRODUCER_COUNTS) record(`${p} producers, ${p} devices`, await point(join(root, `p${k++}`), p, p))
    for (const d of DEVICE_COUNTS) record(`10 producers, ${d} devices`, await point(join(root, `d${k++}`), 10, d))
    for (const rows of JOURNAL_ROWS) record(`10 producers, journal of ${rows} rows`, await point(join(root, `j${k++}`), 10, 10, rows))
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  return out
}
