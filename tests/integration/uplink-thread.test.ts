import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { MqttUplinkSchema } from '../../cloud-bridge/uplinks/mqtt-config.js'
import { ThreadedUplink } from '../../cloud-bridge/uplinks/thread/threaded-uplink.js'
import type { OutboxRow } from '../../cloud-bridge/outbox.js'
import { UplinkError } from '../../base/errors.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import { SITE, UPLINK_USER } from '../helpers/harness.js'
import { captureLog } from '../helpers/logs.js'

const ids = new UuidV7Generator()
let pos = 0
function row(device = 'd1'): OutboxRow {
  const event = { ...buildEvent({ site: SITE, device, kind: 'alarm', location: {} }, { type: 'intrusion' }, ids.next(), Date.now()), seq: ++pos }
  return { pos, id: event.id, device, kind: 'alarm', priority: 2, body: JSON.stringify(event) }
}

describe('the MQTT uplink in its own thread (real platform broker, real worker thread)', () => {
  let platform: PlatformSim | undefined
  let uplink: ThreadedUplink | undefined
  afterEach(async () => {
    await uplink?.stop()
    await platform?.close()
    uplink = platform = undefined
  })

  async function start(entry?: URL) {
    platform = await startPlatformSim({ users: [UPLINK_USER] })
    const cfg = MqttUplinkSchema.parse({ id: 'platform', type: 'mqtt', url: platform.url, allowPlaintext: true, ...UPLINK_USER })
    const logs = captureLog()
    uplink = new ThreadedUplink(cfg, SITE, logs.log.child({ component: 'uplink', uplink: 'platform' }), entry ? { entry } : {})
    const up = once(uplink, 'up')
    uplink.start()
    await up
    return { logs, uplink, platform }
  }

  it("sends from the thread: each send settles when the platform has the event, in order; the thread's log lines are the gateway's", async () => {
    const { logs, uplink, platform } = await start()
    expect(uplink.state).toBe('up')
    const rows = Array.from({ length: 300 }, () => row())
    await Promise.all(rows.map((r) => uplink.send(r)))
    // The platform broker acknowledges before it routes to its recorder [aedes: PUBACK, then routing].
    await platform.waitForCount(rows.length)
    expect(platform.events.map((e) => e.id)).toEqual(rows.map((r) => r.id))
    const connected = logs.find('uplink connected')
    expect(connected).toHaveLength(1)
    expect(connected[0]).toMatchObject({ app: 'pingan', component: 'uplink', uplink: 'platform' })
    await uplink.stop()
    expect(uplink.state).toBe('stopped')
    await expect(uplink.send(row())).rejects.toThrow(UplinkError)
  })

  it('a thread that fails is a link that went down: what was in flight fails, the failure is logged, a new thread connects and sends', async () => {
    const { logs, uplink, platform } = await start(new URL('../helpers/failing-uplink-thread.ts', import.meta.url))
    const down = once(uplink, 'down')
    const inFlight = [uplink.send(row()), uplink.send(row('fail-thread'))]
    for (const sent of inFlight) {
      const err = await sent.then(
        () => undefined,
        (e: unknown) => e,
      )
      // Either acknowledged before the thread ended, or failed as a lost link (not refused: sent again).
      if (err !== undefined) expect(err).toMatchObject({ refused: false })
    }
    const [reason] = (await down) as [string]
    expect(reason).toContain('uplink thread failed')
    expect(uplink.state).toBe('down')
    expect((await logs.waitFor('the uplink thread failed'))['err']).toMatchObject({ message: 'the uplink thread failed on purpose' })
    await once(uplink, 'up')
    const after = row()
    await uplink.send(after)
    await platform.waitForEvent((e) => e.id === after.id)
  })
})
