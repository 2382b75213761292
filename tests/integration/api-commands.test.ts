import { afterEach, describe, expect, it } from 'vitest'
import mqtt from 'mqtt'
import { startHarness, API_TOKEN, OPERATOR, PRODUCER, SITE, type Harness, type HarnessOptions } from '../helpers/harness.js'
import { topics } from '../../base/events/topics.js'

/** A gateway whose uplink has subscribed to the platform's commands: its started event is forwarded on the same connection after the SUBSCRIBE. */
async function startSubscribed(opts: HarnessOptions): Promise<Harness> {
  const h = await startHarness(opts)
  await h.platform.waitForEvent((e) => e.type === 'gateway.started', 10_000)
  return h
}

const devices = [{ id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access' }]

describe('HTTP API', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('answers probes without credentials and the status only with a bearer token', async () => {
    h = await startHarness({ devices })
    const base = `http://127.0.0.1:${h.gateway.apiPort}`
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(200)
    const refused = await fetch(`${base}/api/v1/status`)
    expect(refused.status).toBe(401)
    expect((await fetch(`${base}/api/v1/status`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401)
    await h.logs.waitFor('api request refused: wrong bearer token')
    expect(h.logs.text()).not.toContain('wrong-token-0123456789')
    const ok = await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${API_TOKEN}` } })
    expect(ok.status).toBe(200)
    const status = (await ok.json()) as Record<string, unknown>
    expect(status).toMatchObject({ site: SITE, online: true, devices: { total: 1 } })
    expect(status['uplinks']).toHaveProperty('platform')
    expect(h.logs.text()).not.toContain(API_TOKEN)
  })

  it('publishes the gateway status with backlog figures to the platform', async () => {
    h = await startHarness({ devices })
    for (let i = 0; i < 100 && !h.platform.statuses.get(SITE); i++) await new Promise((r) => setTimeout(r, 20))
    for (
      let i = 0;
      i < 100 && !(h.platform.statuses.get(SITE) as { uplinks?: { platform?: { state?: string } } } | undefined)?.uplinks?.platform?.state?.includes('up');
      i++
    )
      await new Promise((r) => setTimeout(r, 50))
    expect(h.platform.statuses.get(SITE)).toMatchObject({
      online: true,
      uplinks: { platform: { state: 'up', backlog: expect.any(Number), deliveryRatePerSec: expect.any(Number) } },
    })
  })
})

describe('commands', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('answers a platform command to a device the gateway does not have', async () => {
    h = await startSubscribed({ devices, producerDevices: [] })
    const unknown = await h.platform.sendCommand(SITE, 'nobody', { id: 'c1', action: 'unlock' })
    expect(unknown).toMatchObject({ id: 'c1', status: 'invalid', reason: 'no device "nobody" on this gateway' })
  })

  it('a local operator sends a command and reads its result; an invalid command is answered invalid', async () => {
    h = await startHarness({ devices })
    const op = await mqtt.connectAsync(h.brokerUrl, { username: OPERATOR.username, password: OPERATOR.password })
    const results: Array<Record<string, unknown>> = []
    op.on('message', (_t, p) => results.push(JSON.parse(p.toString()) as Record<string, unknown>))
    await op.subscribeAsync(topics.allCommandResults(SITE), { qos: 1 })
    await op.publishAsync(topics.cmd(SITE, 'ghost'), JSON.stringify({ id: 'c2', action: 'raise', expiresAt: '2000-01-01T00:00:00Z' }), { qos: 1 })
    await op.publishAsync(topics.cmd(SITE, 'ghost'), JSON.stringify({ id: 'c3', verb: 'raise' }), { qos: 1 })
    for (let i = 0; i < 100 && results.length < 2; i++) await new Promise((r) => setTimeout(r, 20))
    expect(results.find((r) => r['id'] === 'c2')).toMatchObject({ status: 'invalid' })
    expect(results.find((r) => r['id'] === 'c3')).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/action/) })
    await op.endAsync()
  })
})

describe('commands to a third-party producer', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('are answered offline at once while its producer is away, and left to the producer once it listens', async () => {
    h = await startSubscribed({ devices })
    const away = await h.platform.sendCommand(SITE, 'intercom-1', { id: 'p1', action: 'unlock' }, 5000)
    expect(away).toMatchObject({ id: 'p1', device: 'intercom-1', status: 'offline', reason: expect.stringMatching(/producer of this device is not connected/) })

    // The producer answers its own commands; the gateway must not answer for it.
    const producer = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    producer.on('message', (_t, p) => {
      const cmd = JSON.parse(p.toString()) as { id: string; action: string }
      void producer.publishAsync(
        topics.cmdResult(SITE, 'intercom-1'),
        JSON.stringify({
          id: cmd.id,
          device: 'intercom-1',
          action: cmd.action,
          status: 'ok',
          reason: 'door released by the intercom',
          at: new Date().toISOString(),
        }),
        { qos: 1 },
      )
    })
    await producer.subscribeAsync(topics.cmd(SITE, 'intercom-1'), { qos: 1 })
    const there = await h.platform.sendCommand(SITE, 'intercom-1', { id: 'p2', action: 'unlock' }, 5000)
    expect(there).toMatchObject({ id: 'p2', status: 'ok', reason: 'door released by the intercom' })
    await producer.endAsync()
  })

  it('a command the listening producer leaves unanswered is answered timeout when it expires; an answered one is not', async () => {
    h = await startSubscribed({ devices })
    const results: Array<Record<string, unknown>> = []
    const op = await mqtt.connectAsync(h.brokerUrl, { username: OPERATOR.username, password: OPERATOR.password })
    op.on('message', (_t, p) => results.push(JSON.parse(p.toString()) as Record<string, unknown>))
    await op.subscribeAsync(topics.allCommandResults(SITE), { qos: 1 })
    let answering = true
    const producer = await mqtt.connectAsync(h.brokerUrl, { username: PRODUCER.username, password: PRODUCER.password })
    producer.on('message', (_t, p) => {
      const cmd = JSON.parse(p.toString()) as { id: string; action: string }
      if (answering)
        void producer.publishAsync(
          topics.cmdResult(SITE, 'intercom-1'),
          JSON.stringify({ id: cmd.id, device: 'intercom-1', action: cmd.action, status: 'ok', at: new Date().toISOString() }),
          { qos: 1 },
        )
    })
    await producer.subscribeAsync(topics.cmd(SITE, 'intercom-1'), { qos: 1 })
    const soon = () => new Date(Date.now() + 1000).toISOString()
    expect(await h.platform.sendCommand(SITE, 'intercom-1', { id: 'p3', action: 'unlock', expiresAt: soon() }, 5000)).toMatchObject({ status: 'ok' })
    answering = false
    // Sent after p3, expiring after it: by the time p4 times out, p3's expiry has passed too.
    const timedOut = await h.platform.sendCommand(SITE, 'intercom-1', { id: 'p4', action: 'unlock', expiresAt: soon() }, 10_000)
    expect(timedOut).toMatchObject({
      id: 'p4',
      device: 'intercom-1',
      status: 'timeout',
      reason: expect.stringMatching(/did not answer before the command expired/),
    })
    while (!results.some((r) => r['id'] === 'p4')) await new Promise((r) => op.once('message', r))
    expect(results.filter((r) => r['id'] === 'p3')).toHaveLength(1)
    await producer.endAsync()
    await op.endAsync()
  })
})

describe('supervision of third-party producers', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.stop()
    h = undefined
  })

  it('a producer silent for longer than supervisionMs goes offline, and its next event brings it back', async () => {
    h = await startHarness({ devices: [{ id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access', supervisionMs: 1000 }] })
    const off = await h.platform.waitForEvent((e) => e.device === 'intercom-1' && e.type === 'device.offline', 5000)
    expect(String(off.attrs['reason'])).toMatch(/no event for \d+ s/)
    await h.gateway.emitAs('intercom-1', { type: 'door.open' })
    const on = await h.platform.waitForEvent((e) => e.device === 'intercom-1' && e.type === 'device.online', 5000)
    expect(on.seq).toBeGreaterThan(off.seq)
  })
})
