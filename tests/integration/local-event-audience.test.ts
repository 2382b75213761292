import { afterEach, describe, expect, it } from 'vitest'
import mqtt, { type MqttClient } from 'mqtt'
import { OBSERVER, PRODUCER, SITE, startHarness, type Harness } from '../helpers/harness.js'
import { topics } from '../../base/events/topics.js'

const devices = [{ id: 'door-1', adapter: 'mqtt-ingest', kind: 'access' }]
const AUDIENCE_LINE = 'events are published on the local broker from now on'

/** Events of door-1 as a local subscriber reads them: the `n` each carries, in arrival order. */
function reader(c: MqttClient): number[] {
  const got: number[] = []
  c.on('message', (topic, payload) => {
    if (topic === topics.event(SITE, 'access', 'door-1')) got.push((JSON.parse(payload.toString()) as { attrs: { n: number } }).attrs.n)
  })
  return got
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('local broker: events for the subscribers it has', () => {
  let h: Harness | undefined
  const clients: MqttClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true)
    await h?.stop()
    h = undefined
  })

  async function connect(user: { username: string; password: string }, extra: mqtt.IClientOptions = {}): Promise<MqttClient> {
    const c = await mqtt.connectAsync(h!.brokerUrl, { ...user, reconnectPeriod: 0, ...extra })
    clients.push(c)
    return c
  }

  async function produce(producer: MqttClient, from: number, to: number): Promise<void> {
    for (let n = from; n < to; n++) await producer.publishAsync(topics.ingest(SITE, 'door-1'), JSON.stringify({ type: 'door.open', attrs: { n } }), { qos: 1 })
  }

  it('with nobody subscribed events still reach the platform and the device state; a later subscriber gets every event after its SUBACK', async () => {
    h = await startHarness({ devices })
    const producer = await connect(PRODUCER)
    await produce(producer, 0, 5)
    await h.platform.waitUntil(() => h!.platform.events.filter((e) => e.device === 'door-1').length === 5)
    expect(h.logs.find(AUDIENCE_LINE)).toEqual([])
    const observer = await connect(OBSERVER)
    const got = reader(observer)
    const state: string[] = []
    observer.on('message', (topic, payload) => {
      if (topic === topics.state(SITE, 'door-1')) state.push(payload.toString())
    })
    await observer.subscribeAsync([topics.allEvents(SITE), topics.state(SITE, 'door-1')], { qos: 1 })
    expect(h.logs.find(AUDIENCE_LINE)).toHaveLength(1)
    await until(() => state.length > 0, 'the retained device state')
    expect(JSON.parse(state[0]!)).toMatchObject({ online: true })
    await produce(producer, 5, 10)
    await until(() => got.length === 5, 'five events on the local broker')
    expect(got).toEqual([5, 6, 7, 8, 9])
  })

  it('a persistent session gets, on its return, the events committed while it was away', async () => {
    h = await startHarness({ devices })
    const session = { clientId: 'local-integration', clean: false }
    const first = await connect(OBSERVER, session)
    await first.subscribeAsync(topics.allEvents(SITE), { qos: 1 })
    await first.endAsync()
    const producer = await connect(PRODUCER)
    await produce(producer, 0, 3)
    await h.platform.waitUntil(() => h!.platform.events.filter((e) => e.device === 'door-1').length === 3)
    const back = mqtt.connect(h.brokerUrl, { ...OBSERVER, ...session, reconnectPeriod: 0 })
    clients.push(back)
    const got = reader(back)
    await until(() => got.length === 3, 'the three events queued for the session')
    expect(got).toEqual([0, 1, 2])
  })
})
