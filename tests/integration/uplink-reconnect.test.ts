import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { MqttUplinkSchema } from '../../config/uplinks.js'
import { MqttUplink } from '../../cloud-bridge/uplinks/mqtt.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import { SITE, UPLINK_USER } from '../helpers/harness.js'
import { captureLog } from '../helpers/logs.js'
import { ManualTimers } from '../helpers/manual-timers.js'

describe('uplink reconnection (real platform broker, fake reconnect timers)', () => {
  let platform: PlatformSim | undefined
  let uplink: MqttUplink | undefined
  afterEach(async () => {
    await uplink?.stop()
    await platform?.close()
    uplink = platform = undefined
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
})
