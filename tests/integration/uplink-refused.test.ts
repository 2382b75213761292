import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { startHarness, SITE, UPLINK_USER, type Harness } from '../helpers/harness.js'
import { captureLog } from '../helpers/logs.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import { MqttUplinkSchema } from '../../cloud-bridge/uplinks/mqtt-config.js'
import { MqttUplink } from '../../cloud-bridge/uplinks/mqtt.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { topics } from '../../base/events/topics.js'
import type { CloseSuspect } from '../../cloud-bridge/uplink.js'

const devices = ['d1', 'd2'].map((id) => ({ id, adapter: 'mqtt-ingest', kind: 'alarm' }))

// The platform's broker closes the connection on a publish the account may not make, as RabbitMQ does.
describe('a platform that refuses a topic', () => {
  let h: Harness | undefined
  let platform: PlatformSim | undefined
  let uplink: MqttUplink | undefined
  afterEach(async () => {
    await uplink?.stop()
    await h?.stop()
    await platform?.close()
    h = platform = uplink = undefined
  })

  it('refusing gateway/status: every event still arrives, nothing is set aside, the log names the topic', async () => {
    const statusTopic = topics.gatewayStatus(SITE)
    platform = await startPlatformSim({ users: [UPLINK_USER], refusePublish: ['pingan/v1/+/gateway/status'] })
    h = await startHarness({ devices, platform })
    const ids: string[] = []
    for (let i = 0; i < 200; i++) ids.push((await h.gateway.emitAs(i % 2 ? 'd1' : 'd2', { type: i % 10 ? 'test' : 'intrusion', attrs: { n: i } })).id)
    await platform.waitForEvent((e) => e.id === ids[199], 20_000)
    expect(ids.filter((id) => !platform!.recorder.has(id))).toEqual([])
    expect(platform.report()).toMatchObject({ orderViolations: 0, gaps: 0 })
    // Two closes on the status, then events flow with the status held back.
    expect(platform.refused).toContain(statusTopic)
    expect(platform.connections).toBeLessThanOrEqual(3)
    const refusal = await h.logs.waitFor('the platform refused a publish')
    expect(refusal).toMatchObject({ topic: statusTopic, kind: 'status' })
    expect(platform.events.filter((e) => e.type === 'uplink.parked')).toEqual([])
    expect((await h.gateway.status()).uplinks['platform']).toMatchObject({ parked: 0 })
  })

  it('refusing command results: the result is held back and logged, events are not blamed', async () => {
    platform = await startPlatformSim({ users: [UPLINK_USER], refusePublish: ['pingan/v1/+/cmd/+/result'] })
    const cfg = MqttUplinkSchema.parse({
      id: 'platform',
      type: 'mqtt',
      url: platform.url,
      allowPlaintext: true,
      ...UPLINK_USER,
      backoff: { initialMs: 10, maxMs: 100 },
    })
    const logs = captureLog()
    uplink = new MqttUplink(cfg, SITE, logs.log)
    uplink.start()
    await once(uplink, 'up')
    const down = once(uplink, 'down') as Promise<[string, CloseSuspect | undefined]>
    uplink.publishCommandResult('d1', Buffer.from(JSON.stringify({ id: 'c1', device: 'd1', action: 'open', status: 'ok', at: new Date().toISOString() })))
    const [, suspect] = await down
    expect(suspect).toEqual({ kind: 'result', topic: topics.cmdResult(SITE, 'd1') })
    await once(uplink, 'up')
    // Once may be chance (the platform going away just then); the second close in a row is a refusal.
    expect(logs.find('the platform refused a publish')).toEqual([])
    const again = once(uplink, 'down')
    uplink.publishCommandResult('d1', Buffer.from(JSON.stringify({ id: 'c2', device: 'd1', action: 'open', status: 'ok', at: new Date().toISOString() })))
    await again
    await once(uplink, 'up')
    // Held back: a second result is not sent into the same refusal.
    uplink.publishCommandResult('d1', Buffer.from('{}'))
    expect(logs.find('command result not sent: the platform refuses this topic')).toHaveLength(1)
    const event = {
      ...buildEvent({ site: SITE, device: 'd1', kind: 'alarm', location: {} }, { type: 'intrusion' }, new UuidV7Generator().next(), Date.now()),
      seq: 1,
    }
    await uplink.send({ pos: 1, id: event.id, device: 'd1', kind: 'alarm', priority: 2, body: JSON.stringify(event) })
    await platform.waitForEvent((e) => e.id === event.id)
    expect(platform.refused).toEqual([topics.cmdResult(SITE, 'd1'), topics.cmdResult(SITE, 'd1')])
    expect(logs.find('the platform refused a publish')[0]).toMatchObject({ topic: topics.cmdResult(SITE, 'd1'), kind: 'result' })
  })

  it("refusing one device's event topic: that event is set aside after maxAttempts closes, naming the topic; the other device's events all arrive", async () => {
    const refusedTopic = topics.event(SITE, 'alarm', 'd2')
    platform = await startPlatformSim({ users: [UPLINK_USER], refusePublish: [refusedTopic] })
    h = await startHarness({ devices, platform, uplink: { maxAttempts: 3 } })
    const d2 = await h.gateway.emitAs('d2', { type: 'intrusion' })
    const d1: string[] = []
    for (let i = 0; i < 50; i++) d1.push((await h.gateway.emitAs('d1', { type: 'intrusion', attrs: { n: i } })).id)
    const parked = await platform.waitForEvent((e) => e.type === 'uplink.parked', 20_000)
    expect(parked.attrs).toMatchObject({ event: d2.id, device: 'd2' })
    expect(String(parked.attrs['reason'])).toContain(refusedTopic)
    await platform.waitForEvent((e) => e.id === d1[49])
    expect(d1.filter((id) => !platform!.recorder.has(id))).toEqual([])
    expect(platform.recorder.has(d2.id)).toBe(false)
    expect(new Set(platform.refused)).toEqual(new Set([refusedTopic]))
  })
})
