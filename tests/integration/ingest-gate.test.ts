import { afterEach, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import { startHarness, PRODUCER, SITE, type Harness } from '../helpers/harness.js'
import { topics } from '../../gateway/events/topics.js'

const devices = [
  { id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access' },
  { id: 'intercom-2', adapter: 'mqtt-ingest', kind: 'access' },
]

/** `{"type":"door.open","attrs":{"a":[[[...]]]}}`, `depth` arrays deep: about 2 bytes per level. */
function nested(depth: number): string {
  return `{"type":"door.open","attrs":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`
}

describe('ingest gate: hostile payloads', () => {
  let h: Harness | undefined
  afterEach(async () => { await h?.stop(); h = undefined })

  it('refuses JSON nested 10,000 deep alone: reported, acknowledged once, and the batch of other producers is stored', async () => {
    h = await startHarness({ devices })
    // A persistent session resends whatever was not acknowledged after every reconnect.
    const hostile = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password, clientId: 'hostile-1', clean: false, reconnectPeriod: 50 })
    const honest = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password, clientId: 'honest-1' })
    let reconnects = 0
    hostile.on('reconnect', () => reconnects++)
    const payload = nested(10_000)
    expect(payload.length).toBeLessThan(h.config.broker.maxIngestPayloadBytes)
    // Sent together, so they meet in one group commit.
    const sent = [
      hostile.publishAsync(topics.ingest(SITE, 'intercom-1'), payload, { qos: 1 }),
      ...Array.from({ length: 5 }, (_, i) => honest.publishAsync(topics.ingest(SITE, 'intercom-2'), JSON.stringify({ type: 'door.open', attrs: { n: i } }), { qos: 1 })),
    ]
    await Promise.all(sent)
    const refused = await h.logs.waitFor('ingest payload refused', { device: 'intercom-1' })
    expect(String(refused['reason'])).toMatch(/nests deeper than 32 levels/)
    const report = await h.platform.waitForEvent((e) => e.type === 'ingest.rejected')
    expect(report.attrs).toMatchObject({ producer: PRODUCER.username, device: 'intercom-1' })
    await h.platform.waitForEvent((e) => e.device === 'intercom-2' && e.attrs['n'] === 4)
    expect(h.platform.events.filter((e) => e.device === 'intercom-2').map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(h.logs.find('journal commit failed')).toEqual([])
    expect(h.logs.find('ingest payload refused')).toHaveLength(1)
    expect(reconnects).toBe(0)
    await hostile.endAsync()
    await honest.endAsync()
  })

  it('refuses a payload that is not valid UTF-8 with the offending byte, instead of storing replacement characters', async () => {
    h = await startHarness({ devices })
    const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    const head = Buffer.from('{"type":"door.open","attrs":{"name":"Zh')
    const bad = Buffer.concat([head, Buffer.from([0xe5, 0x28]), Buffer.from('"}}')]) // 0xE5 needs a continuation byte
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), bad, { qos: 1 })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.closed', attrs: { name: 'Zhāng' } }), { qos: 1 })
    const refused = await h.logs.waitFor('ingest payload refused', { device: 'intercom-1' })
    expect(String(refused['reason'])).toContain(`payload is not valid UTF-8 (byte ${head.length} is 0xe5)`)
    const report = await h.platform.waitForEvent((e) => e.type === 'ingest.rejected')
    expect(String(report.attrs['reason'])).toMatch(/not valid UTF-8/)
    const good = await h.platform.waitForEvent((e) => e.device === 'intercom-1')
    expect([good.type, good.seq, good.attrs['name']]).toEqual(['door.closed', 1, 'Zhāng'])
    await c.endAsync()
  })
})
