import { pino } from 'pino'
import { ModbusDeviceSchema } from '../adapters/modbus/config.js'
import { createModbusDefinition } from '../adapters/modbus/index.js'
import type { Adapter, AdapterContext } from '../adapters/types.js'
import { ParkingBusModel } from '../simulators/parking-lock/model.js'
import { serveTcp } from '../simulators/parking-lock/wire.js'

/**
 * Modbus bus throughput and command round trip, against the parking simulator over loopback TCP
 * with the line emulated: each reply waits for the request's and the reply's bytes at the baud
 * rate (10 bits a character). A lock poll is two requests: holding 0-5 (8 + 17 bytes) and input
 * 0-2 (8 + 11 bytes), 44 bytes in all, so the line alone allows baud / 10 / 44 polls a second.
 */
const UNITS = 8
const POLL_BYTES = 8 + 17 + 8 + 11
const MEASURE_MS = 3000
const WARMUP_MS = 500

function context(): AdapterContext {
  const abort = new AbortController()
  return {
    log: pino({ level: 'silent' }),
    now: () => Date.now(),
    signal: abort.signal,
    emit: async () => ({ id: 'bench', duplicate: false }),
    setState: () => undefined,
  }
}

async function withBus<T>(baudRate: number, pollIntervalMs: number, fn: (model: ParkingBusModel, adapters: Adapter[]) => Promise<T>): Promise<T> {
  const model = new ParkingBusModel(
    Array.from({ length: UNITS }, (_v, i) => ({ unit: i + 1, type: 'lock' as const })),
    { now: () => Date.now(), travelMs: 0 },
  )
  const server = await serveTcp(model, { baudRate })
  const def = createModbusDefinition()
  const adapters = Array.from({ length: UNITS }, (_v, i) =>
    def.create!(
      ModbusDeviceSchema.parse({
        id: `lock-${i + 1}`,
        adapter: 'modbus',
        kind: 'parking',
        unit: i + 1,
        profile: 'parking-lock',
        transport: server.address,
        pollIntervalMs,
        responseTimeoutMs: 500,
        commandPollIntervalMs: 20,
      }),
      context(),
    ),
  )
  for (const a of adapters) await a.start()
  try {
    return await fn(model, adapters)
  } finally {
    for (const a of adapters) await a.stop()
    await server.close()
  }
}

/** Polls completed per second with every unit asking for more than the bus can give. */
async function pollsPerSecond(baudRate: number): Promise<number> {
  return withBus(baudRate, 20, async (model) => {
    await new Promise((r) => setTimeout(r, WARMUP_MS))
    const from = Date.now()
    await new Promise((r) => setTimeout(r, MEASURE_MS))
    // One answered holding-register read per poll.
    const polls = model.history.filter((h) => h.at >= from && h.fc === 3 && h.answered).length
    return polls / ((Date.now() - from) / 1000)
  })
}

/** Raise/lower round trip on an otherwise quiet bus (units polled once a second). */
async function commandRoundTrip(baudRate: number, n: number): Promise<{ p50: number; max: number }> {
  return withBus(baudRate, 1000, async (_model, adapters) => {
    await new Promise((r) => setTimeout(r, WARMUP_MS))
    const times: number[] = []
    for (let i = 0; i < n; i++) {
      const t0 = performance.now()
      const r = await adapters[0]!.command!({ id: `b${i}`, action: i % 2 === 0 ? 'raise' : 'lower', params: {} })
      if (r.status !== 'ok') throw new Error(`command ${i}: ${r.status} ${r.reason ?? ''}`)
      times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    return { p50: times[Math.floor(n / 2)]!, max: times[n - 1]! }
  })
}

export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {}
  for (const baud of [9600, 115_200]) {
    const ceiling = baud / 10 / POLL_BYTES
    const measured = await pollsPerSecond(baud)
    out[`modbus.pollsPerSec.${baud}`] = Number(measured.toFixed(1))
    out[`modbus.lineCeilingPollsPerSec.${baud}`] = Number(ceiling.toFixed(1))
    out[`modbus.lineUse.${baud}`] = `${((measured / ceiling) * 100).toFixed(0)}%`
    log(`modbus ${baud} baud: ${measured.toFixed(1)} lock polls/s on one bus (${UNITS} units), line ceiling ${ceiling.toFixed(1)} (${POLL_BYTES} bytes a poll)`)
    const rtt = await commandRoundTrip(baud, 10)
    out[`modbus.commandRoundTripMs.p50.${baud}`] = Number(rtt.p50.toFixed(1))
    out[`modbus.commandRoundTripMs.max.${baud}`] = Number(rtt.max.toFixed(1))
    log(`modbus ${baud} baud: raise/lower round trip p50 ${rtt.p50.toFixed(1)} ms, max ${rtt.max.toFixed(1)} ms (read, write, one 20 ms watch poll)`)
  }
  return out
}

// Run directly: `npx tsx bench/modbus.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  run((l) => console.log(l)).then(
    (r) => console.log(r),
    (err: unknown) => {
      console.error(err)
      process.exitCode = 1
    },
  )
}
