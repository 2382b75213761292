import { describe, expect, it } from 'vitest'
import type { EventInput } from '../../../base/events/event.js'
import { definition } from '../../../adapters/mqtt-ingest/index.js'
import { MqttIngestDeviceSchema } from '../../../adapters/mqtt-ingest/config.js'
import { captureLog } from '../../helpers/logs.js'
import { ManualTimers } from '../../helpers/manual-timers.js'

/** Producer supervision on fake timers: the silence passes when the test says so, not in real time. */
describe('mqtt-ingest supervision (injected timers)', () => {
  it('a producer silent past supervisionMs goes offline once, and its next event brings it back', async () => {
    const timers = new ManualTimers(5_000_000)
    const events: Array<{ device: string; input: EventInput; at: number }> = []
    const configs = [MqttIngestDeviceSchema.parse({ id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access', supervisionMs: 1000 })]
    const sup = definition.supervise!(configs, {
      log: captureLog().log,
      now: () => timers.now(),
      timers,
      emit: async (device, input) => {
        events.push({ device, input, at: timers.now() })
        return { id: `e${events.length}`, duplicate: false }
      },
    })
    sup.start()
    // Checked every supervisionMs / 4 (at least 250 ms): the window runs out between 1000 and 1250 ms.
    while (events.length === 0) await timers.fireNext()
    expect(events[0]).toMatchObject({ device: 'intercom-1', input: { type: 'device.offline', attrs: { silentMs: 1250 } }, at: 5_001_250 })
    for (let i = 0; i < 8; i++) await timers.fireNext()
    expect(events).toHaveLength(1)
    sup.committed({ device: 'intercom-1', type: 'door.open' })
    expect(events[1]).toMatchObject({ device: 'intercom-1', input: { type: 'device.online' } })
    sup.stop()
    expect(timers.size).toBe(0)
  })
})
