import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { createLogger } from '../../../base/log.js'
import type { AdapterContext, DeviceState } from '../../../adapters/types.js'
import type { EventInput } from '../../../base/events/event.js'

/**
 * The gateway's side of an adapter as a test sees it: emit() records the event and resolves as
 * the journal would after its commit; log lines are kept for assertions.
 */
export function recordingContext(device = 'cam-gate-1') {
  const events: EventInput[] = []
  const states: Array<Partial<DeviceState>> = []
  const lines: Array<Record<string, unknown>> = []
  const controller = new AbortController()
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>)
      cb()
    },
  })
  const ctx: AdapterContext = {
    // As the gateway does: the adapter's logger is already bound to its device.
    log: createLogger({ level: 'debug', destination }).child({ device }),
    now: () => Date.now(),
    signal: controller.signal,
    emit: async (e) => {
      events.push(structuredClone(e))
      return { id: randomUUID(), duplicate: false }
    },
    setState: (s) => void states.push(s),
  }
  async function waitFor<T>(find: () => T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const v = find()
      if (v !== undefined && v !== false) return v
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  const waitForEvent = (type: string, timeoutMs?: number, from = 0): Promise<EventInput> =>
    waitFor(() => events.slice(from).find((e) => e.type === type), timeoutMs, `a ${type} event`)
  /** The camera's own events, without device.online/offline (which arrive on supervision's schedule). */
  const ownEvents = (): EventInput[] => events.filter((e) => !e.type.startsWith('device.'))
  return { ctx, events, ownEvents, states, lines, waitFor, waitForEvent, abort: () => controller.abort() }
}
