import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { MqttUplinkSchema } from '../../cloud-bridge/uplinks/mqtt-config.js'
import { MqttUplink } from '../../cloud-bridge/uplinks/mqtt.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import mqtt from 'mqtt'
import { OBSERVER, SITE, UPLINK_USER, startHarness, type Harness } from '../helpers/harness.js'
import { topics } from '../../base/events/topics.js'
import type { GatewayStatus } from '../../gateway/status.js'
import { captureLog } from '../helpers/logs.js'
import { ManualTimers } from '../helpers/manual-timers.js'

describe('uplink reconnection (real platform broker, fake reconnect timers)', () => {
  let platform: PlatformSim | undefined
  let uplink: MqttUplink | undefined
  let h: Harness | undefined
  afterEach(async () => {
    await uplink?.stop()
    await h?.stop()
    await platform?.close()
    uplink = platform = h = undefined
  })

  it('with the default backoff, resumes within 5 s of the platform coming back after a long outage', async () => {
    platform = await startPlatformSim({ users: [UPLINK_USER] })
    await platform.goOffline()
    // Only what a site must set: the backoff is the default.
    const cfg = MqttUplinkSchema.parse({ id: 'platform', type: 'mqtt', url: platform.url, allowPlaintext: true, ...UPLINK_USER })
    const timers = new ManualTimers()
    // A draw high in the jitter range: the unlucky site of the incident waited 47.5 s.
    uplink = new MqttUplink(cfg, SITE, captureLog().log, { random: () => 0.79, timers })
    uplink.start()
    // Two minutes of refused connections: the backoff climbs to its cap.
    let attempts = 0
    while ((await timers.nextDue()) < 120_000) {
      await timers.fireNext()
      attempts++
    }
    expect(uplink.state).toBe('down')
    // The platform returns just after a failed attempt: the whole next delay is waited.
    await platform.comeBack()
    const back = timers.now()
    const up = once(uplink, 'up')
    await timers.fireNext()
    await up
    const resumeMs = timers.now() - back
    expect(resumeMs).toBeLessThanOrEqual(5000)
    expect(attempts).toBeGreaterThan(5)
  })

  it('the first status the platform gets after it returns says up, with the backlog of that moment', async () => {
    h = await startHarness({ devices: [{ id: 'd1', adapter: 'mqtt-ingest', kind: 'alarm' }] })
    const platform = h.platform
    // Watch the status on the local broker: it goes on being built while the platform is away.
    const observer = await mqtt.connectAsync(h.brokerUrl, { username: OBSERVER.username, password: OBSERVER.password })
    const down = new Promise<void>((resolve) =>
      observer.on('message', (_t, p) => {
        if ((JSON.parse(p.toString()) as GatewayStatus).uplinks['platform']?.state !== 'up') resolve()
      }),
    )
    await observer.subscribeAsync(topics.gatewayStatus(SITE), { qos: 1 })
    await platform.goOffline()
    for (let i = 0; i < 20; i++) await h.gateway.emitAs('d1', { type: 'intrusion', attrs: { n: i } })
    await down
    await observer.endAsync()
    const from = platform.statusLog.length
    await platform.comeBack()
    // The will's offline message has no uplinks: the first status the gateway itself sent.
    const first = (await platform.waitForStatus((st) => (st as GatewayStatus).uplinks !== undefined, from)) as GatewayStatus
    expect(first.uplinks['platform']).toMatchObject({ state: 'up' })
    expect(first.uplinks['platform']!.backlog).toBeGreaterThanOrEqual(20)
  })
})
