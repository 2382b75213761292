import type { SimEvent } from '../../../simulators/alarm-receiver/model.js'
import type { Harness } from '../../helpers/harness.js'

/** The receiver's device id in these tests. */
export const DEVICE = 'alarm-rx'

export const ev = (code: string, zone: string, qualifier: 'E' | 'R' = 'E'): SimEvent => ({ account: '1234', qualifier, code, group: '01', zone })

/** The receiver's events on the platform, supervision left out. */
export const alarms = (h: Harness) => h.platform.events.filter((e) => e.device === DEVICE && !e.type.startsWith('device.'))

/** Polls `cond` every 20 ms; throws naming `what` after `timeoutMs`. */
export async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
