import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { pino } from 'pino'
import { ConfigSchema } from '../config/schema.js'
import { startGateway } from '../gateway/main.js'
import { startPlatformSim } from '../simulators/platform/platform.js'
import { percentile, round } from './lib/stats.js'

/**
 * How many cameras one gateway supervises at once, and camera event -> platform latency.
 * The cameras run in a child process (`pingan sim camera --count N`), so this process is the
 * gateway (with the platform simulator): its CPU time is what one gateway core spends on N cameras,
 * each with an open PullPoint (long poll of PULL_MS) and a ping every PING_MS.
 */
const CAMERAS = Number(process.env['PINGAN_BENCH_ONVIF_CAMERAS'] ?? 200)
const PULL_MS = 10_000
const PING_MS = 10_000
const IDLE_MS = 10_000
const EVENTS = 1000
const WARMUP_EVENTS = 300
const EVENT_GAP_MS = 5
const SNAPSHOT_EVENTS = 100
const USER = { username: 'bench-site', password: 'bench-uplink-pw' }

/** Starts the camera fleet in a child process; resolves with its device URLs by id. */
async function startFleet(count: number): Promise<{ child: ChildProcessWithoutNullStreams; urls: Map<string, string>; send(line: string): void }> {
  const here = fileURLToPath(import.meta.url)
  const ts = here.endsWith('.ts')
  const cli = pathToFileURL(join(dirname(here), '..', 'simulators', 'camera', `cli.${ts ? 'ts' : 'js'}`)).href
  const args = ['--count', String(count), '--prefix', 'bcam', '--user', 'admin', '--password', 'bench-cam-pw']
  const child = spawn(
    process.execPath,
    [
      ...(ts ? ['--import', 'tsx'] : []),
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(cli)}); await m.runCli(${JSON.stringify(args)})`,
    ],
    { stdio: 'pipe' },
  )
  const urls = new Map<string, string>()
  const rl = createInterface({ input: child.stdout })
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`camera fleet exited (${code})`)))
    rl.on('line', (line) => {
      const [id, url] = line.split('\t')
      if (id && url?.startsWith('http')) urls.set(id, url)
      if (urls.size === count) resolve()
    })
  })
  return { child, urls, send: (line) => void child.stdin.write(`${line}\n`) }
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const dir = await mkdtemp(join(tmpdir(), 'pingan-bench-onvif-'))
  const fleet = await startFleet(CAMERAS)
  const received = new Map<number, number>()
  const snapshotReceived = new Map<string, number>()
  const platform = await startPlatformSim({
    users: [USER],
    onEvent: (ev) => {
      const t = performance.timeOrigin + performance.now()
      const data = ev.attrs['data'] as Record<string, string> | undefined
      if (ev.type === 'line.crossed' && data?.['ObjectId']) received.set(Number(data['ObjectId']), t)
      if (ev.type === 'motion') snapshotReceived.set(ev.device, t)
    },
  })
  const devices = [...fleet.urls].map(([id, url]) => ({
    id,
    adapter: 'onvif',
    address: url,
    username: 'admin',
    password: 'bench-cam-pw',
    pullTimeoutMs: PULL_MS,
    pingIntervalMs: PING_MS,
    supervisionMs: 60_000,
    snapshot: { dir: join(dir, 'snapshots'), onTypes: ['motion'] },
  }))
  const config = ConfigSchema.parse({
    version: 1,
    site: { id: 'bench', name: 'Bench compound' },
    broker: { host: '127.0.0.1', port: 0 },
    api: { host: '127.0.0.1', port: 0, open: true },
    journal: { path: join(dir, 'journal.db'), spareBytes: 0 },
    uplinks: [{ id: 'platform', type: 'mqtt', url: platform.url, allowPlaintext: true, ...USER }],
    devices,
  })
  const gateway = await startGateway(config, { log: pino({ level: 'warn' }) })
  try {
    // All cameras subscribed and pulling: the first Initialized states have arrived for each.
    const t0 = Date.now()
    while ((await gateway.status()).devices.online < CAMERAS) {
      if (Date.now() - t0 > 60_000) throw new Error('cameras did not all come online within 60 s')
      await new Promise((r) => setTimeout(r, 250))
    }
    const connectMs = Date.now() - t0
    log(`onvif: ${CAMERAS} cameras subscribed in ${connectMs} ms`)

    // Idle cost of N open PullPoints on this process's core.
    const cpu0 = process.cpuUsage()
    const w0 = performance.now()
    await new Promise((r) => setTimeout(r, IDLE_MS))
    const cpu = process.cpuUsage(cpu0)
    const idleCpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - w0)) * 100
    const rssMiB = process.memoryUsage().rss / 1024 / 1024
    log(`onvif: idle with ${CAMERAS} PullPoints: ${round(idleCpuPct, 1)} % of one core, RSS ${round(rssMiB, 0)} MiB`)

    // Event latency: line crossings (no snapshot) on random cameras, camera -> platform, after a
    // warm-up run whose figures are dropped (the first events pay for JIT compilation).
    const ids = [...fleet.urls.keys()]
    for (let i = 1; i <= WARMUP_EVENTS; i++) {
      fleet.send(`line ${ids[i % ids.length]!} ${100_000 + i}`)
      await new Promise((r) => setTimeout(r, EVENT_GAP_MS))
    }
    const wEnd = Date.now() + 10_000
    while (received.size < WARMUP_EVENTS && Date.now() < wEnd) await new Promise((r) => setTimeout(r, 50))
    received.clear()
    const sent = new Map<number, number>()
    for (let i = 1; i <= EVENTS; i++) {
      const cam = ids[(i * 7919) % ids.length]!
      sent.set(i, performance.timeOrigin + performance.now())
      fleet.send(`line ${cam} ${i}`)
      await new Promise((r) => setTimeout(r, EVENT_GAP_MS))
    }
    const tEnd = Date.now() + 15_000
    while (received.size < EVENTS && Date.now() < tEnd) await new Promise((r) => setTimeout(r, 50))
    const lat = [...sent]
      .filter(([i]) => received.has(i))
      .map(([i, t]) => received.get(i)! - t)
      .sort((a, b) => a - b)

    // Motion with a snapshot (Digest-authenticated JPEG fetch, written to disk) before the event.
    const snapSent = new Map<string, number>()
    // One motion start per camera (a second "on" without an "off" is no change, so no event).
    const snapshotEvents = Math.min(SNAPSHOT_EVENTS, ids.length)
    for (let i = 0; i < snapshotEvents; i++) {
      const cam = ids[i % ids.length]!
      snapSent.set(cam, performance.timeOrigin + performance.now())
      fleet.send(`motion ${cam} on`)
      await new Promise((r) => setTimeout(r, 20))
    }
    const sEnd = Date.now() + 15_000
    while (snapshotReceived.size < snapshotEvents && Date.now() < sEnd) await new Promise((r) => setTimeout(r, 50))
    const slat = [...snapSent]
      .filter(([c]) => snapshotReceived.has(c))
      .map(([c, t]) => snapshotReceived.get(c)! - t)
      .sort((a, b) => a - b)

    const result = {
      cameras: CAMERAS,
      connectAllMs: connectMs,
      idleCpuPctOneCore: round(idleCpuPct, 1),
      rssMiB: round(rssMiB, 0),
      events: lat.length,
      eventP50Ms: round(percentile(lat, 50)),
      eventP99Ms: round(percentile(lat, 99)),
      eventMaxMs: round(lat.at(-1) ?? NaN),
      snapshotEvents: slat.length,
      snapshotEventP50Ms: round(percentile(slat, 50)),
      snapshotEventP99Ms: round(percentile(slat, 99)),
      note: `cameras in a child process; gateway + platform simulator in this one; pull ${PULL_MS} ms, ping ${PING_MS} ms; one event every ${EVENT_GAP_MS} ms after ${WARMUP_EVENTS} warm-up events`,
    }
    log(
      `onvif: event -> platform p50 ${result.eventP50Ms} ms, p99 ${result.eventP99Ms} ms (${lat.length}/${EVENTS}); with snapshot p50 ${result.snapshotEventP50Ms} ms, p99 ${result.snapshotEventP99Ms} ms`,
    )
    return result
  } finally {
    await gateway.stop()
    await platform.close()
    fleet.child.kill('SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }
}
