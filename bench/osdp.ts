import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { OsdpDeviceSchema } from '../adapters/osdp/config.js'
import { definition } from '../adapters/osdp/index.js'
import type { AdapterContext } from '../adapters/types.js'
import { ConfigSchema } from '../config/schema.js'
import { startGateway } from '../gateway/main.js'
import { AccessBusModel } from '../simulators/access-reader/model.js'
import { seededRandom } from '../simulators/parking-lock/rng.js'
import { serveTcp } from '../simulators/access-reader/wire.js'
import { nowMs, percentile, round, sleep } from './lib/stats.js'

/**
 * OSDP bus figures against the access-reader simulator over loopback TCP with the line emulated:
 * each reply waits for the command's and the reply's bytes at the baud rate (10 bits a character)
 * and no reader turnaround. A POLL and its ACK are 9 bytes each with the mark byte, so the line
 * alone allows baud / 10 / 18 polls a second, shared by every reader on the bus.
 */
const READERS = 8
const POLL_EXCHANGE_BYTES = 9 + 9
const WARMUP_MS = 1500
const MEASURE_MS = 4000
const SWIPES = 100
const OUT_CODE = 0x68

function context(): AdapterContext {
  return {
    log: pino({ level: 'silent' }),
    now: () => Date.now(),
    signal: new AbortController().signal,
    emit: async () => ({ id: 'bench', duplicate: false }),
    setState: () => undefined,
  }
}

/** Polls answered per second on a bus of READERS readers polled as fast as the line allows. */
async function pollsPerSecond(baud: number): Promise<{ pollsPerSec: number; ceiling: number; perReaderMs: number }> {
  const model = new AccessBusModel({ readers: Array.from({ length: READERS }, (_v, i) => ({ address: i })) })
  const wire = await serveTcp({ model, log: pino({ level: 'silent' }), lineBaudRate: baud })
  const adapter = definition.create!(
    OsdpDeviceSchema.parse({
      id: 'bench-bus',
      adapter: 'osdp',
      transport: `tcp://127.0.0.1:${wire.port}`,
      pollIntervalMs: 0,
      readers: Array.from({ length: READERS }, (_v, i) => ({ address: i, door: `door-${i}` })),
    }),
    context(),
  )
  await adapter.start()
  try {
    await sleep(WARMUP_MS)
    const count = () => [...model.pds.values()].reduce((n, pd) => n + pd.counters.commands, 0)
    const c0 = count()
    const t0 = nowMs()
    await sleep(MEASURE_MS)
    const pollsPerSec = ((count() - c0) * 1000) / (nowMs() - t0)
    return { pollsPerSec, ceiling: baud / 10 / POLL_EXCHANGE_BYTES, perReaderMs: (READERS * 1000) / pollsPerSec }
  } finally {
    await adapter.stop()
    await wire.close()
  }
}

/**
 * Card swipe to strike command through the whole gateway with a local allow-list: the swipe waits
 * for the next POLL, the grant is committed to the journal (SQLite, synchronous=FULL), then OUT
 * goes out; the time ends when the OUT's last byte would have reached the reader.
 */
async function swipeToStrike(baud: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-osdp-'))
  const model = new AccessBusModel({ readers: [{ address: 0, contactInput: 0, strikeOutput: 0 }] })
  const msPerByte = 10_000 / baud
  let strikeAt: ((t: number) => void) | undefined
  const handle = model.handle.bind(model)
  model.handle = (f, now) => {
    if (f.code === OUT_CODE && !f.reply) strikeAt?.(nowMs() + f.raw.length * msPerByte)
    return handle(f, now)
  }
  const wire = await serveTcp({ model, log: pino({ level: 'silent' }), lineBaudRate: baud })
  const config = ConfigSchema.parse({
    version: 1,
    site: { id: 'bench', name: 'Bench compound' },
    broker: { host: '127.0.0.1', port: 0 },
    api: { host: '127.0.0.1', port: 0, open: true },
    journal: { path: join(dir, 'journal.db'), spareBytes: 0 },
    uplinks: [],
    devices: [
      {
        id: 'gate-bus',
        adapter: 'osdp',
        transport: `tcp://127.0.0.1:${wire.port}`,
        readers: [{ address: 0, door: 'gate', contactInput: 0, strikeOutput: 0, strikePulseMs: 100 }],
        allowList: [{ card: '4567', facility: 123, user: 'resident' }],
      },
    ],
  })
  const gateway = await startGateway(config, { log: pino({ level: 'warn' }) })
  const random = seededRandom(42)
  const samples: number[] = []
  try {
    await sleep(WARMUP_MS)
    for (let i = 0; i < SWIPES; i++) {
      const struck = new Promise<number>((resolve) => (strikeAt = resolve))
      const t0 = nowMs()
      model.swipe(0, 'H10301', 123, 4567)
      const t1 = await Promise.race([struck, sleep(3000).then(() => NaN)])
      strikeAt = undefined
      if (Number.isNaN(t1)) throw new Error(`swipe ${i}: no strike command within 3 s`)
      samples.push(t1 - t0)
      // Swipes land at random points of the poll cycle.
      await sleep(120 + random() * 100)
    }
  } finally {
    await gateway.stop()
    await wire.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return samples
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {
    setup: `${READERS} readers on one bus for polls/s; 1 reader, default pollIntervalMs 100, allow-list, real journal for swipe-to-strike; line emulated, no reader turnaround; steady state after ${WARMUP_MS} ms warm-up`,
  }
  for (const baud of [9600, 115200]) {
    const p = await pollsPerSecond(baud)
    log(
      `osdp: ${baud} baud: ${round(p.pollsPerSec, 1)} polls/s of a ${round(p.ceiling, 1)}/s line ceiling; each of ${READERS} readers every ${round(p.perReaderMs, 1)} ms`,
    )
    out[`pollsPerSec_${baud}`] = round(p.pollsPerSec, 1)
    out[`lineCeilingPollsPerSec_${baud}`] = round(p.ceiling, 1)
    out[`pctOfCeiling_${baud}`] = round((p.pollsPerSec / p.ceiling) * 100, 1)
    out[`perReaderPollIntervalMs_${baud}`] = round(p.perReaderMs, 1)
  }
  for (const baud of [9600, 115200]) {
    const s = await swipeToStrike(baud)
    log(`osdp: ${baud} baud: swipe to strike p50 ${round(percentile(s, 50), 1)} ms, p99 ${round(percentile(s, 99), 1)} ms (${s.length} swipes)`)
    out[`swipeToStrikeP50Ms_${baud}`] = round(percentile(s, 50), 1)
    out[`swipeToStrikeP99Ms_${baud}`] = round(percentile(s, 99), 1)
  }
  return out
}
