import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { ConfigSchema } from '../config/schema.js'
import { ContactIdDeviceSchema } from '../adapters/contact-id/config.js'
import { ContactIdAdapter } from '../adapters/contact-id/adapter.js'
import type { AdapterContext } from '../adapters/types.js'
import { startGateway } from '../gateway/main.js'
import { ReceiverModel, type SimEvent, type Transmission } from '../simulators/alarm-receiver/model.js'
import { openSerial, serveTcp, type ReceiverPort } from '../simulators/alarm-receiver/wire.js'
import { startPlatformSim } from '../simulators/platform/platform.js'
import { startPtyPair, type PtyPair } from '../simulators/socat-pty.js'
import { nowMs, percentile, round, sleep } from './lib/stats.js'

/**
 * Contact ID over a receiver's automation port. The receiver is stop-and-wait (one message until
 * its ACK), so frames per second = 1 / (message out + decode + commit + ACK back). Measured with the
 * adapter alone (emit resolves at once) and through the real gateway (journal commit with
 * synchronous=FULL: one fsync per message, since the protocol never has two in flight), over a
 * socat PTY pair set to 115200 baud and over loopback TCP. A PTY does not pace bytes at the baud
 * rate; on a real 115200 line a 21-byte message and its ACK add 1.9 ms (`lineCeilingFps`).
 * Latency: from the frame's last byte written by the receiver to the event's arrival at the
 * platform simulator (MQTT uplink), one message at a time, after a warm-up.
 */
const BAUD = 115200
const MESSAGE_BYTES = 21 + 1
const THROUGHPUT_FRAMES = 1500
const LATENCY_SAMPLES = 300
const WARMUP = 50
const quiet = pino({ level: 'silent' })

/** Distinct messages, so none is merged as a repeat by the journal's dedupe window. */
function events(n: number, offset = 0): SimEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i + offset
    return { account: String(2000 + Math.floor(k / 1000)), qualifier: 'E', code: '131', group: '01', zone: String(k % 1000).padStart(3, '0') }
  })
}

interface Link {
  transport: Record<string, unknown>
  sim: ReceiverPort
  close(): Promise<void>
}

async function link(kind: 'pty' | 'tcp', model: ReceiverModel, onTransmit?: (t: Transmission) => void): Promise<Link> {
  if (kind === 'tcp') {
    const sim = await serveTcp(model, { log: quiet, ...(onTransmit ? { onTransmit } : {}) })
    return { transport: { url: sim.address, backoff: { initialMs: 50 } }, sim, close: () => sim.close() }
  }
  const pair: PtyPair = await startPtyPair()
  const sim = await openSerial(model, { path: pair.b, baudRate: BAUD, log: quiet, ...(onTransmit ? { onTransmit } : {}) })
  return {
    transport: { path: pair.a, baudRate: BAUD, backoff: { initialMs: 50 } },
    sim,
    async close() {
      await sim.close()
      await pair.close()
    },
  }
}

async function untilDelivered(model: ReceiverModel, n: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (model.stats.delivered < n) {
    if (Date.now() > end) throw new Error(`only ${model.stats.delivered} of ${n} acknowledged in ${timeoutMs} ms`)
    await sleep(2)
  }
}

/** The adapter alone: frames decoded and acknowledged per second, emit() resolving at once. */
async function adapterOnly(kind: 'pty' | 'tcp'): Promise<number> {
  const model = new ReceiverModel({ heartbeatMs: 3_600_000 }, Date.now())
  const l = await link(kind, model)
  const ctx: AdapterContext = {
    log: quiet,
    now: () => Date.now(),
    signal: new AbortController().signal,
    emit: async () => ({ id: 'bench', duplicate: false }),
    setState: () => undefined,
  }
  const adapter = new ContactIdAdapter(ContactIdDeviceSchema.parse({ id: 'rx', adapter: 'contact-id', transport: l.transport }), ctx)
  await adapter.start()
  try {
    // Over TCP the first heartbeat goes out before the adapter connects and is repeated 4 s
    // later; start once one is acknowledged, so no message waits behind it.
    const end = Date.now() + 10_000
    while (model.stats.acks === 0 && Date.now() < end) await sleep(5)
    model.enqueue(...events(THROUGHPUT_FRAMES))
    const t0 = nowMs()
    l.sim.poke()
    await untilDelivered(model, THROUGHPUT_FRAMES, 60_000)
    return THROUGHPUT_FRAMES / ((nowMs() - t0) / 1000)
  } finally {
    await adapter.stop()
    await l.close()
  }
}

/** Through the gateway: throughput with the journal, then latency to the platform. */
async function gateway(kind: 'pty' | 'tcp'): Promise<{ fps: number; p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-cid-'))
  const user = { username: 'bench', password: 'bench-uplink-pw' }
  let sentAt = 0
  const model = new ReceiverModel({ heartbeatMs: 3_600_000 }, Date.now())
  const l = await link(kind, model, (t) => {
    if (t.what === 'event') sentAt = nowMs()
  })
  let arrived: ((at: number) => void) | undefined
  const platform = await startPlatformSim({ users: [user], onEvent: (e) => e.type === 'intrusion' && arrived?.(nowMs()) })
  const config = ConfigSchema.parse({
    version: 1,
    site: { id: 'bench', name: 'Benchmark' },
    broker: { host: '127.0.0.1', port: 0, users: [] },
    api: { host: '127.0.0.1', port: 0, tokens: ['bench-token-0123456789'] },
    journal: { path: join(dir, 'journal.db'), spareBytes: 0 },
    uplinks: [{ id: 'platform', type: 'mqtt', url: platform.url, allowPlaintext: true, ...user }],
    devices: [{ id: 'rx', adapter: 'contact-id', transport: l.transport }],
    log: { level: 'warn' },
  })
  const gw = await startGateway(config, { log: pino({ level: 'warn' }) })
  try {
    await platform.waitForEvent((e) => e.type === 'device.online', 10_000)
    model.enqueue(...events(THROUGHPUT_FRAMES))
    const t0 = nowMs()
    l.sim.poke()
    await untilDelivered(model, THROUGHPUT_FRAMES, 120_000)
    const fps = THROUGHPUT_FRAMES / ((nowMs() - t0) / 1000)
    await platform.waitForCount(THROUGHPUT_FRAMES + 1, 60_000)

    const samples: number[] = []
    for (let i = 0; i < LATENCY_SAMPLES + WARMUP; i++) {
      const got = new Promise<number>((r) => (arrived = r))
      model.enqueue(...events(1, THROUGHPUT_FRAMES + i))
      l.sim.poke()
      const at = await got
      if (i >= WARMUP) samples.push(at - sentAt)
      await untilDelivered(model, THROUGHPUT_FRAMES + i + 1, 10_000)
    }
    return { fps, p50: percentile(samples, 50), p99: percentile(samples, 99) }
  } finally {
    await gw.stop()
    await platform.close()
    await l.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {
    lineCeilingFps: round(BAUD / 10 / (MESSAGE_BYTES + 1), 0),
    note: `stop-and-wait, one message in flight; ${THROUGHPUT_FRAMES} distinct messages; latency over ${LATENCY_SAMPLES} messages after ${WARMUP} warm-up; PTY bytes are not paced at the baud rate`,
  }
  for (const kind of ['pty', 'tcp'] as const) {
    const a = await adapterOnly(kind)
    log(`${kind}: adapter alone ${round(a, 0)} frames/s`)
    out[`${kind}AdapterOnlyFps`] = round(a, 0)
    const g = await gateway(kind)
    log(`${kind}: through the journal ${round(g.fps, 0)} frames/s; frame to platform p50 ${round(g.p50)} ms, p99 ${round(g.p99)} ms`)
    out[`${kind}GatewayFps`] = round(g.fps, 0)
    out[`${kind}LatencyP50Ms`] = round(g.p50)
    out[`${kind}LatencyP99Ms`] = round(g.p99)
  }
  return out
}
