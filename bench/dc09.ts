import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { pino } from 'pino'
import { ConfigSchema } from '../config/schema.js'
import { Dc09UplinkSchema } from '../cloud-bridge/uplinks/dc09/config.js'
import { Dc09Uplink } from '../cloud-bridge/uplinks/dc09/dc09-uplink.js'
import { startGateway } from '../gateway/main.js'
import { startCentreSim, type CentreSim } from '../simulators/alarm-centre/wire.js'
import type { OutboxRow } from '../cloud-bridge/outbox.js'
import { nowMs, percentile, round } from './lib/stats.js'

/**
 * SIA DC-09 to one receiver on loopback. Stop-and-wait bounds the rate by the round trip, so the
 * same run measures a bare socket echo (one frame out, one ACK-sized frame back, nothing decoded)
 * as the ceiling. Then the uplink alone (rows handed to send() one at a time), the whole gateway
 * (emit -> journal commit -> forwarder -> uplink -> receiver ACK), the time from the commit to the
 * receiver's ACK, and the time to fail over when the primary receiver stops answering.
 */
const ROUND_TRIPS = 3000
const EVENTS = 2000
const LATENCY_SAMPLES = 300
const WARMUP = 50
const FAILOVERS = 5
const quiet = pino({ level: 'silent' })
const FRAME = Buffer.from('\nB268003D"ADM-CID"0001R1L1#1234[#1234|1130 01 015]_14:30:00,01-15-2025\r', 'latin1')
const ACK = Buffer.from('\nD2770014"ACK"0001R1L1#1234[]\r', 'latin1')

async function echoCeiling(): Promise<number> {
  const server = createServer((s) => {
    s.setNoDelay(true)
    s.on('data', () => s.write(ACK))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const sock: Socket = connect((server.address() as { port: number }).port, '127.0.0.1')
  sock.setNoDelay(true)
  await once(sock, 'connect')
  const t0 = nowMs()
  for (let i = 0; i < ROUND_TRIPS; i++) {
    sock.write(FRAME)
    await once(sock, 'data')
  }
  const rate = ROUND_TRIPS / ((nowMs() - t0) / 1000)
  sock.destroy()
  server.close()
  return rate
}

function row(pos: number): OutboxRow {
  const id = `0190a0b0-0000-7000-8000-${String(pos).padStart(12, '0')}`
  const body = JSON.stringify({
    id,
    seq: pos,
    site: 's',
    device: 'panel-1',
    kind: 'alarm',
    type: 'intrusion',
    priority: 2,
    receivedAt: new Date().toISOString(),
    zone: String(pos % 1000),
    attrs: {},
  })
  return { pos, id, device: 'panel-1', kind: 'alarm', priority: 2, body }
}

function uplinkConfig(paths: Array<{ name: string; receivers: Array<Record<string, unknown>> }>, extra: Record<string, unknown> = {}) {
  return Dc09UplinkSchema.parse({ id: 'arc', type: 'dc09', account: '1234', testReportMs: 0, paths, ...extra })
}

async function uplinkAlone(transport: 'tcp' | 'udp', encrypted: boolean): Promise<number> {
  const key = '000102030405060708090A0B0C0D0E0F'
  const centre = await startCentreSim({ udpPort: 0, keys: { '1234': Buffer.from(key, 'hex') } })
  const port = transport === 'udp' ? centre.udpPort! : centre.tcpPort
  const up = new Dc09Uplink(uplinkConfig([{ name: 'wired', receivers: [{ host: '127.0.0.1', port, transport, ...(encrypted ? { keyHex: key } : {}) }] }]), {
    site: { deviceNames: new Map() },
    log: quiet,
    report: () => undefined,
  })
  up.start()
  while (up.state !== 'up') await new Promise((r) => setTimeout(r, 5))
  for (let i = 1; i <= WARMUP; i++) await up.send(row(i))
  const t0 = nowMs()
  for (let i = 1; i <= EVENTS; i++) await up.send(row(WARMUP + i))
  const rate = EVENTS / ((nowMs() - t0) / 1000)
  await up.stop()
  await centre.close()
  return rate
}

async function throughGateway(): Promise<{ fps: number; p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-dc09-'))
  const centre: CentreSim = await startCentreSim()
  const acked = new Map<string, number>()
  let waiting: { id: string; resolve(): void } | undefined
  centre.model.faults = {}
  const origHandle = centre.model.handle.bind(centre.model)
  // The receiver's ACK instant: when the model answers a recorded event.
  centre.model.handle = (f) => {
    const before = centre.model.events.length
    const out = origHandle(f)
    const e = centre.model.events[before]
    if (e?.eventId) {
      acked.set(e.eventId, nowMs())
      if (waiting?.id === e.eventId) waiting.resolve()
    }
    return out
  }
  const config = ConfigSchema.parse({
    version: 1,
    site: { id: 'bench', name: 'Bench' },
    broker: { host: '127.0.0.1', port: 0 },
    api: { host: '127.0.0.1', port: 0 },
    journal: { path: join(dir, 'journal.db'), spareBytes: 0 },
    devices: [{ id: 'panel-1', adapter: 'mqtt-ingest', kind: 'alarm' }],
    log: { level: 'fatal' },
  })
  config.uplinks.push(uplinkConfig([{ name: 'wired', receivers: [{ host: '127.0.0.1', port: centre.tcpPort }] }]))
  const gw = await startGateway(config, { log: quiet })
  // The commit instant: the journal's notification, which is also what starts the forwarder.
  const committedAt = new Map<string, number>()
  gw.journal.on('committed', (_rows, events: Array<{ id: string }>) => {
    const t = nowMs()
    for (const e of events) committedAt.set(e.id, t)
  })
  try {
    // Latency: one event at a time, from the commit (emit resolved) to the receiver's ACK.
    const lat: number[] = []
    for (let i = 0; i < WARMUP + LATENCY_SAMPLES; i++) {
      let done!: () => void
      const arrived = new Promise<void>((r) => {
        done = r
      })
      const r = await gw.emitAs('panel-1', { type: 'intrusion', zone: String(i % 100) })
      waiting = { id: r.id, resolve: done }
      if (!acked.has(r.id)) await arrived
      if (i >= WARMUP) lat.push(acked.get(r.id)! - committedAt.get(r.id)!)
    }
    // Throughput: a burst emitted at once (group commits), drained one by one.
    const t0 = nowMs()
    const ids = (await Promise.all(Array.from({ length: EVENTS }, (_, i) => gw.emitAs('panel-1', { type: 'intrusion', zone: String(i % 100) })))).map(
      (r) => r.id,
    )
    const last = ids[ids.length - 1]!
    if (!acked.has(last))
      await new Promise<void>((resolve) => {
        waiting = { id: last, resolve }
      })
    const fps = EVENTS / ((nowMs() - t0) / 1000)
    return { fps, p50: percentile(lat, 50), p99: percentile(lat, 99) }
  } finally {
    await gw.stop()
    await centre.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** From the primary's silence to the event's ACK on the backup path. */
async function failover(ackTimeoutMs: number, retries: number): Promise<number[]> {
  const out: number[] = []
  for (let k = 0; k < FAILOVERS; k++) {
    const primary = await startCentreSim()
    const backup = await startCentreSim()
    const up = new Dc09Uplink(
      uplinkConfig(
        [
          { name: 'wired', receivers: [{ host: '127.0.0.1', port: primary.tcpPort }] },
          { name: 'cellular', receivers: [{ host: '127.0.0.1', port: backup.tcpPort }] },
        ],
        { ackTimeoutMs, retries },
      ),
      { site: { deviceNames: new Map() }, log: quiet, report: () => undefined },
    )
    up.start()
    while (up.state !== 'up') await new Promise((r) => setTimeout(r, 5))
    await up.send(row(1))
    primary.model.faults = { dropRequests: 1_000_000 }
    const t0 = nowMs()
    await up.send(row(2))
    out.push(nowMs() - t0)
    if (backup.model.events.length !== 1) throw new Error('the event did not go by the backup path')
    await up.stop()
    await primary.close()
    await backup.close()
  }
  return out
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const ceiling = await echoCeiling()
  log(`bare TCP echo: ${round(ceiling, 0)} round trips/s`)
  const tcpPlain = await uplinkAlone('tcp', false)
  const tcpAes = await uplinkAlone('tcp', true)
  const udpPlain = await uplinkAlone('udp', false)
  log(`uplink alone: tcp ${round(tcpPlain, 0)}/s, tcp+AES ${round(tcpAes, 0)}/s, udp ${round(udpPlain, 0)}/s`)
  const gw = await throughGateway()
  log(`through the gateway: ${round(gw.fps, 0)} events/s; commit to ACK p50 ${round(gw.p50)} ms, p99 ${round(gw.p99)} ms`)
  const fo = await failover(1000, 1)
  log(`failover (ackTimeoutMs 1000, retries 1): ${fo.map((x) => round(x, 0)).join(', ')} ms`)
  return {
    note: `stop-and-wait, one message in flight, loopback TCP; ${EVENTS} events after ${WARMUP} warm-up; latency over ${LATENCY_SAMPLES} events one at a time; failover from the primary's silence to the backup's ACK, ${FAILOVERS} runs`,
    echoCeilingRps: round(ceiling, 0),
    uplinkTcpFps: round(tcpPlain, 0),
    uplinkTcpAesFps: round(tcpAes, 0),
    uplinkUdpFps: round(udpPlain, 0),
    gatewayTcpFps: round(gw.fps, 0),
    commitToAckP50Ms: round(gw.p50),
    commitToAckP99Ms: round(gw.p99),
    failoverMedianMs: round(percentile(fo, 50), 0),
    failoverMaxMs: round(Math.max(...fo), 0),
    failoverSetting: 'ackTimeoutMs 1000, retries 1',
  }
}
