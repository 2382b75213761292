import { describe, expect, it } from 'vitest'
import { Backoff, backoffCeiling, fullJitterDelay } from '../../../cloud-bridge/backoff.js'

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
})
