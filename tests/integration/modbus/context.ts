import { ModbusDeviceSchema } from '../../../adapters/modbus/config.js'
import { createModbusDefinition } from '../../../adapters/modbus/index.js'
import type { Adapter, AdapterContext, DeviceState } from '../../../adapters/types.js'
import type { EventInput } from '../../../base/events/event.js'
import { captureLog, type CapturedLog } from '../../helpers/logs.js'

/** What one device's adapter reported: its events in order and its merged state. */
export interface Recorder {
  ctx: AdapterContext
  events: EventInput[]
  state: Partial<DeviceState>
  /** Calls of setState so far. */
  readonly updates: number
  logs: CapturedLog
  /** The first matching event at or after index `since` (default 0) of `events`. */
  waitFor(pred: (e: EventInput) => boolean, timeoutMs?: number, since?: number): Promise<EventInput>
  waitState(pred: (s: Partial<DeviceState>) => boolean, timeoutMs?: number): Promise<void>
}

/**
 * An adapter's whole world for a test without the gateway: `emit` records and resolves at once
 * (as the journal would after its commit), `setState` merges.
 */
export function recorder(device: string, logs: CapturedLog = captureLog()): Recorder {
  const events: EventInput[] = []
  const state: Partial<DeviceState> = {}
  const poll = async (ok: () => boolean, what: string, timeoutMs: number) => {
    const until = Date.now() + timeoutMs
    while (!ok()) {
      if (Date.now() > until)
        throw new Error(`${device}: ${what} not seen within ${timeoutMs} ms; events: ${events.map((e) => e.type).join(', ')}; state: ${JSON.stringify(state)}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  const abort = new AbortController()
  let updates = 0
  return {
    events,
    state,
    logs,
    get updates() {
      return updates
    },
    ctx: {
      log: logs.log.child({ device }),
      now: () => Date.now(),
      signal: abort.signal,
      emit: async (e) => {
        events.push(e)
        return { id: `${device}-${events.length}`, duplicate: false }
      },
      setState: (s) => {
        updates++
        Object.assign(state, s)
      },
    },
    async waitFor(pred, timeoutMs = 5000, since = 0) {
      await poll(() => events.slice(since).some(pred), 'event', timeoutMs)
      return events.slice(since).find(pred)!
    },
    waitState: (pred, timeoutMs = 5000) => poll(() => pred(state), 'state', timeoutMs),
  }
}

/**
 * Starts one adapter per device config (input form, parsed here) from one definition, so units
 * naming the same transport share a bus; resolves once every unit has answered.
 */
export async function startUnits(devices: Record<string, unknown>[], logs: CapturedLog = captureLog()): Promise<{ adapters: Adapter[]; recs: Recorder[] }> {
  const def = createModbusDefinition()
  const adapters: Adapter[] = []
  const recs: Recorder[] = []
  for (const d of devices) {
    const cfg = ModbusDeviceSchema.parse({ adapter: 'modbus', kind: 'parking', ...d })
    const r = recorder(cfg.id, logs)
    recs.push(r)
    const a = def.create!(cfg, r.ctx)
    adapters.push(a)
    await a.start()
  }
  await Promise.all(recs.map((r) => r.waitState((s) => s.online === true)))
  return { adapters, recs }
}
