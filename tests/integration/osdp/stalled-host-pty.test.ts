import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEVICE, startOsdpRig, until, type OsdpRig } from './setup.js'

let rig: OsdpRig

/**
 * Blocks this process (gateway and simulator alike) for `ms`, as a loaded host or a long GC pause
 * does: the simulator's reply is already on its way through socat and lands in the gateway's port
 * meanwhile, and the gateway's reply window ends while nothing runs.
 */
function stall(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin: nothing else in this process runs
  }
}

beforeAll(async () => {
  rig = await startOsdpRig([{ address: 0 }], { readers: [{ address: 0, door: 'gate' }] })
  await rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'device.online' && e.zone === 'gate', 8000)
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp over a PTY on a host that stalls', () => {
  it('a reply that arrived while the gateway was stalled past its window is taken, not timed out and asked again', async () => {
    const pd = rig.model.pd(0)
    const handle = pd.handle.bind(pd)
    let stalls = 0
    // Once the reply to one POLL is written, the whole process stops for twice the reply timeout.
    pd.handle = (f, now) => {
      const reply = handle(f, now)
      if (reply && f.code === 0x60 && stalls === 0) {
        stalls++
        setImmediate(() => stall(400))
      }
      return reply
    }
    const commands = pd.counters.commands
    await until(() => stalls === 1 && pd.counters.commands >= commands + 5)
    // The gateway never asked again (a resend repeats the sequence number and the reader answers
    // from its cache), and never dropped the reply to that resend as a bad one.
    expect(pd.counters.repeats).toBe(0)
    expect(rig.h.logs.find('bad reply dropped')).toHaveLength(0)
  })
})
