import { afterEach, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import { startHarness, PRODUCER, SITE, type Harness } from '../helpers/harness.js'
import { topics } from '../../base/events/topics.js'

describe('ingest to platform', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('an event published by a producer reaches the platform with its location', async () => {
    h = await startHarness({ devices: [{ id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access', location: { building: '7' } }] })
    const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.forced', zone: 'main' }), { qos: 1 })
    const ev = await h.platform.waitForEvent((e) => e.device === 'intercom-1')
    expect(ev).toMatchObject({ site: SITE, kind: 'access', type: 'door.forced', priority: 2, building: '7', grid: 'G-01', zone: 'main', seq: 1 })
    await c.endAsync()
  })
})
