import { afterEach, describe, expect, it } from 'vitest'
import type { ReceiverModel } from '../../../simulators/alarm-receiver/model.js'
import type { ReceiverPort } from '../../../simulators/alarm-receiver/wire.js'
import type { Harness } from '../../helpers/harness.js'
import { DEADLINE_MS, DEVICE, alarms, ev, ptyGateway, until } from './support.js'

const REPEATED = 'repeated message already committed, acknowledged again'

/**
 * Genuine re-alarms against retransmissions, through a real PTY: the same text is a new event
 * unless it repeats the latest message of its receiver line because our ACK did not arrive.
 */
describe('Contact ID: the same message again is new unless it is a retransmission', { timeout: 4 * DEADLINE_MS }, () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  const setup = () => ptyGateway(cleanup, { heartbeatMs: 300, ackTimeoutMs: 1000 })

  /** The panel's messages a second apart, then a periodic test: forwarded in order, it comes last. */
  async function replay(model: ReceiverModel, sim: ReceiverPort, h: Harness, events: Array<ReturnType<typeof ev>>): Promise<string[]> {
    const t0 = Date.now()
    for (const [i, e] of events.entries()) model.schedule(t0 + i * 1000, e)
    model.schedule(t0 + events.length * 1000, ev('602', '000'))
    sim.poke()
    await h.platform.waitForEvent((e) => e.device === DEVICE && e.type === 'test', DEADLINE_MS)
    return alarms(h)
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.type)
  }

  it('an intrusion, its restore and the intrusion again a second later are three events', async () => {
    const { model, sim, h } = await setup()
    const types = await replay(model, sim, h, [ev('130', '015'), ev('130', '015', 'R'), ev('130', '015')])
    expect(types).toEqual(['intrusion', 'intrusion.restore', 'intrusion', 'test'])
    expect(new Set(alarms(h).map((e) => e.id)).size).toBe(4)
    // Each was acknowledged (the last ACK may reach the receiver after the platform has the event).
    await until('all four acknowledged', () => model.stats.delivered === 4, DEADLINE_MS)
    expect(h.logs.find(REPEATED)).toEqual([])
  })

  it('disarm, arm, disarm, arm by one user within a minute are four events', async () => {
    const { model, sim, h } = await setup()
    const types = await replay(model, sim, h, [ev('401', '003'), ev('401', '003', 'R'), ev('401', '003'), ev('401', '003', 'R')])
    expect(types).toEqual(['disarm', 'arm', 'disarm', 'arm', 'test'])
    expect(
      alarms(h)
        .filter((e) => e.type !== 'test')
        .map((e) => e.user),
    ).toEqual(['003', '003', '003', '003'])
  })

  it('a message repeated because its ACK was lost is still one event, after a genuine re-alarm too', async () => {
    const { model, sim, h } = await setup()
    model.enqueue(ev('130', '015'), ev('130', '015', 'R'))
    sim.poke()
    await until('alarm and restore acknowledged', () => model.stats.delivered === 2, DEADLINE_MS)
    // The re-alarm's ACKs are lost on the line: the receiver repeats it until it hears one.
    sim.setDeaf('events')
    model.enqueue(ev('130', '015'))
    sim.poke()
    // The gateway has merged a repeat (and ACKed it again, unheard): then the line clears.
    await h.logs.waitFor(REPEATED, undefined, DEADLINE_MS)
    sim.setDeaf(false)
    const types = await replay(model, sim, h, [])
    expect(types).toEqual(['intrusion', 'intrusion.restore', 'intrusion', 'test'])
  })
})
