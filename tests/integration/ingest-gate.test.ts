import { afterEach, describe, expect, it } from 'vitest'
import { connect, type Socket } from 'node:net'
import mqtt from 'mqtt'
import { startHarness, PRODUCER, SITE, type Harness } from '../helpers/harness.js'
import { topics } from '../../base/events/topics.js'

const devices = [
  { id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access' },
  { id: 'intercom-2', adapter: 'mqtt-ingest', kind: 'access' },
]

/** `{"type":"door.open","attrs":{"a":[[[...]]]}}`, `depth` arrays deep: about 2 bytes per level. */
function nested(depth: number): string {
  return `{"type":"door.open","attrs":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`
}

/** An MQTT variable byte integer [MQTT-2.2.3]. */
function remainingLength(n: number): number[] {
  const out: number[] = []
  do {
    let b = n % 128
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return out
}

function utf8Field(s: string): Buffer {
  const b = Buffer.from(s)
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b])
}

/** CONNECT, MQTT 3.1.1, clean session, username and password [MQTT-3.1]. */
function connectPacket(clientId: string, username: string, password: string): Buffer {
  const body = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, 0xc2, 0, 60]), utf8Field(clientId), utf8Field(username), utf8Field(password)])
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body])
}

/**
 * What the hostile client did: a raw TCP socket (with or without a CONNECT first), a PUBLISH header
 * announcing `announced` bytes, then up to `streamBytes` of body, as fast as the socket drains.
 */
async function streamHugePublish(
  port: number,
  announced: number,
  streamBytes: number,
  login?: { username: string; password: string },
): Promise<{ sent: number; closed: boolean }> {
  const sock: Socket = connect(port, '127.0.0.1')
  sock.on('error', () => undefined)
  await new Promise((r) => sock.once('connect', r))
  let closed = false
  const gone = new Promise<void>((r) =>
    sock.once('close', () => {
      closed = true
      r()
    }),
  )
  if (login) {
    const connack = new Promise<Buffer>((r) => sock.once('data', r))
    sock.write(connectPacket('hostile-raw', login.username, login.password))
    expect([...(await connack)]).toEqual([0x20, 2, 0, 0]) // accepted [MQTT-3.2.2.3]
  }
  sock.write(Buffer.from([0x30, ...remainingLength(announced)]))
  const chunk = Buffer.alloc(64 * 1024, 0x41)
  let sent = 0
  while (!closed && sent < streamBytes) {
    if (!sock.write(chunk)) await Promise.race([new Promise((r) => sock.once('drain', r)), gone])
    sent += chunk.length
  }
  const result = { sent, closed }
  sock.destroy()
  return result
}

describe('broker: packet size at the parser', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('cuts a connection whose first packet is a PUBLISH announcing 200 MB, before CONNECT, at the header', async () => {
    h = await startHarness({ devices })
    const r = await streamHugePublish(h.gateway.brokerPort, 200 * 1024 * 1024, 100 * 1024 * 1024)
    expect(r.closed).toBe(true)
    expect(r.sent).toBeLessThan(100 * 1024 * 1024)
    const cut = await h.logs.waitFor('mqtt connection cut at a packet header')
    expect(cut).toMatchObject({
      kind: 'not-connect-first',
      packetType: 3,
      remote: '127.0.0.1',
      reason: 'first packet is of type 3, not CONNECT [MQTT-3.1.0-1]',
    })
    expect((await h.gateway.status()).broker.cutConnections).toBe(1)
    // Others are unaffected.
    const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.open' }), { qos: 1 })
    await h.platform.waitForEvent((e) => e.device === 'intercom-1')
    await c.endAsync()
  })

  it('cuts a logged-in connection whose PUBLISH announces 200 MB, at the header', async () => {
    h = await startHarness({ devices })
    const r = await streamHugePublish(h.gateway.brokerPort, 200 * 1024 * 1024, 100 * 1024 * 1024, PRODUCER)
    expect(r.closed).toBe(true)
    expect(r.sent).toBeLessThan(100 * 1024 * 1024)
    const cut = await h.logs.waitFor('mqtt connection cut at a packet header')
    expect(cut).toMatchObject({ kind: 'too-large', announcedBytes: 200 * 1024 * 1024, client: 'hostile-raw' })
    expect(cut['reason']).toBe(`packet of type 3 announces 209715200 bytes; the limit is ${2 * h.config.broker.maxIngestPayloadBytes + 4096}`)
  })

  it('a payload just over the ingest limit still reaches the gate and is refused with its size', async () => {
    h = await startHarness({ devices })
    const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password, reconnectPeriod: 0 })
    const limit = h.config.broker.maxIngestPayloadBytes
    await c.publishAsync(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.open', raw: 'x'.repeat(limit) }), { qos: 1 })
    const refused = await h.logs.waitFor('ingest payload refused', { device: 'intercom-1' })
    expect(String(refused['reason'])).toMatch(new RegExp(`the limit is ${limit}$`))
    // Far past it, the connection is cut at the header.
    const closed = new Promise<void>((r) => c.once('close', () => r()))
    c.publish(topics.ingest(SITE, 'intercom-1'), Buffer.alloc(3 * limit, 0x20), { qos: 1 })
    await closed
    await h.logs.waitFor('mqtt connection cut at a packet header', { client: c.options.clientId })
    c.end(true)
  })
})

describe('ingest gate: hostile payloads', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('refuses JSON nested 10,000 deep alone: reported, acknowledged once, and the batch of other producers is stored', async () => {
    h = await startHarness({ devices })
    // A persistent session resends whatever was not acknowledged after every reconnect.
    const hostile = await mqtt.connectAsync(h.brokerUrl, {
      username: PRODUCER.username,
      password: PRODUCER.password,
      clientId: 'hostile-1',
      clean: false,
      reconnectPeriod: 50,
    })
    const honest = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password, clientId: 'honest-1' })
    let reconnects = 0
    hostile.on('reconnect', () => reconnects++)
    const payload = nested(10_000)
    expect(payload.length).toBeLessThan(h.config.broker.maxIngestPayloadBytes)
    // Sent together, so they meet in one group commit.
    const sent = [
      hostile.publishAsync(topics.ingest(SITE, 'intercom-1'), payload, { qos: 1 }),
      ...Array.from({ length: 5 }, (_, i) =>
        honest.publishAsync(topics.ingest(SITE, 'intercom-2'), JSON.stringify({ type: 'door.open', attrs: { n: i } }), { qos: 1 }),
      ),
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

describe('broker: protocol versions', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('refuses an MQTT 5 producer (CONNACK 0x01, unacceptable protocol version) and logs why, naming the client', async () => {
    h = await startHarness({ devices })
    await expect(
      mqtt.connectAsync(h.brokerUrl, {
        username: PRODUCER.username,
        password: PRODUCER.password,
        protocolVersion: 5,
        clientId: 'intercom-v5',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Unacceptable protocol version/) // [MQTT-3.2.2-4]: 3.1.1's return code 1
    const line = await h.logs.waitFor('mqtt client refused: the local broker speaks MQTT 3.1.1 only')
    expect(line).toMatchObject({ client: 'intercom-v5', username: PRODUCER.username, protocolVersion: 5, remote: '127.0.0.1' })
    expect(String(line['fix'])).toMatch(/protocolVersion 4/)
    // A client retrying is warned about once, then at debug level.
    await expect(
      mqtt.connectAsync(h.brokerUrl, {
        username: PRODUCER.username,
        password: PRODUCER.password,
        protocolVersion: 5,
        clientId: 'intercom-v5',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Unacceptable protocol version/)
    const refusals = h.logs.find('mqtt client refused', { client: 'intercom-v5' })
    expect(refusals.map((l) => l['level'])).toEqual([40, 20])
    // 3.1 and 3.1.1 are served.
    for (const protocolVersion of [3, 4] as const) {
      const c = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password, protocolVersion, reconnectPeriod: 0 })
      await c.endAsync()
    }
  })
})
