import { ReceiverModel, type ReceiverModelOptions, type SimEvent } from '../../../simulators/alarm-receiver/model.js'
import { openSerial, type ReceiverPort } from '../../../simulators/alarm-receiver/wire.js'
import { startHarness, type Harness } from '../../helpers/harness.js'
import { captureLog } from '../../helpers/logs.js'
import { startPtyPair } from '../../helpers/pty.js'

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

/**
 * A receiver on one end of a socat PTY pair and a whole gateway (with a platform) on the other,
 * the receiver online. Everything started is pushed on `cleanup`, to be run in reverse.
 */
export async function ptyGateway(
  cleanup: Array<() => Promise<void>>,
  modelOpts: ReceiverModelOptions,
): Promise<{ model: ReceiverModel; sim: ReceiverPort; h: Harness }> {
  const pair = await startPtyPair()
  cleanup.push(() => pair.close())
  const model = new ReceiverModel(modelOpts, Date.now())
  const sim = await openSerial(model, { path: pair.b, baudRate: 115200, log: captureLog().log })
  cleanup.push(() => sim.close())
  const transport = { path: pair.a, baudRate: 115200, backoff: { initialMs: 50, maxMs: 300 } }
  const h = await startHarness({ devices: [{ id: DEVICE, adapter: 'contact-id', transport }] })
  cleanup.push(() => h.stop())
  await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online', DEADLINE_MS)
  return { model, sim, h }
}
