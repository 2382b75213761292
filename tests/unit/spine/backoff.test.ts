import { describe, expect, it } from 'vitest'
import { Backoff, backoffCeiling, fullJitterDelay } from '../../../base/backoff.js'
import { MqttUplinkSchema } from '../../../cloud-bridge/uplinks/mqtt-config.js'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'

const policy = { initialMs: 100, maxMs: 5000 }

describe('backoff with full jitter', () => {
  it('doubles the ceiling per attempt up to the cap', () => {
    expect([0, 1, 2, 3, 5, 6, 40].map((n) => backoffCeiling(policy, n))).toEqual([100, 200, 400, 800, 3200, 5000, 5000])
  })
  it('draws uniformly below the ceiling', () => {
    expect(fullJitterDelay(policy, 3, () => 0)).toBe(0)
    expect(fullJitterDelay(policy, 3, () => 0.5)).toBe(400)
    expect(fullJitterDelay(policy, 3, () => 0.999999)).toBe(799)
  })
  it('counts attempts and resets after a success', () => {
    const b = new Backoff(policy, () => 0.5)
    expect([b.next(), b.next(), b.next()]).toEqual([50, 100, 200])
    b.reset()
    expect(b.next()).toBe(50)
  })
  it('with the default cap, a thousand sites waiting after a platform outage come back spread over the cap, not at once', () => {
    const { backoff } = MqttUplinkSchema.parse({ id: 'p', type: 'mqtt', url: 'mqtts://platform.example:8883' })
    expect(backoff.maxMs).toBeLessThanOrEqual(5000)
    const random = seededRandom(20261201)
    // Each site deep into an outage: its next delay is drawn below the cap.
    const delays = Array.from({ length: 1000 }, () => fullJitterDelay(backoff, 30, random))
    const perTenth = new Array<number>(10).fill(0)
    for (const d of delays) perTenth[Math.floor((d / backoff.maxMs) * 10)]!++
    // Uniform: about 100 sites per tenth of the cap; none holds even twice that.
    expect(Math.max(...perTenth)).toBeLessThan(200)
    expect(Math.min(...perTenth)).toBeGreaterThan(50)
  })
})
