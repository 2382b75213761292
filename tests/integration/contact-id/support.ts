import type { ReceiverModel, SimEvent } from '../../../simulators/alarm-receiver/model.js'
import type { ReceiverPort } from '../../../simulators/alarm-receiver/wire.js'
import type { Harness } from '../../helpers/harness.js'

/** How long a wait may take on a loaded machine before the test gives up: a safety net only. */
export const DEADLINE_MS = 30_000

/** The receiver's device id in these tests. */
export const DEVICE = 'alarm-rx'

export const ev = (code: string, zone: string, qualifier: 'E' | 'R' = 'E'): SimEvent => ({ account: '1234', qualifier, code, group: '01', zone })

/** The receiver's events on the platform, supervision left out. */
export const alarms = (h: Harness) => h.platform.events.filter((e) => e.device === DEVICE && !e.type.startsWith('device.'))

/** Polls `cond` every 20 ms; throws naming `what` after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs = DEADLINE_MS): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Sends a periodic test report and waits for it on the platform. A device's events reach the
 * platform in order, so whatever the gateway committed before it (a duplicate, say) is there too.
 */
export async function barrier(model: ReceiverModel, sim: ReceiverPort, h: Harness): Promise<void> {
  model.enqueue(ev('602', '000'))
  sim.poke()
  await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'test', DEADLINE_MS)
}
