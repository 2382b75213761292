import { describe, expect, it } from 'vitest'
import { Recorder } from '../../../simulators/platform/recorder.js'
import { formatEventLine } from '../../../simulators/platform/format.js'

const ev = (id: number, seq: number, device = 'd1') =>
  JSON.stringify({
    id: `0190f0f0-0000-7000-8000-${String(id).padStart(12, '0')}`,
    seq,
    site: 's',
    device,
    kind: 'alarm',
    type: 'intrusion',
    priority: 2,
    receivedAt: '2026-11-22T00:00:00.000Z',
    attrs: {},
  })

describe('platform recorder', () => {
  it('counts duplicates by id, gaps and order violations per device', () => {
    const r = new Recorder()
    r.record(ev(1, 1))
    r.record(ev(1, 1)) // duplicate
    r.record(ev(2, 2))
    r.record(ev(3, 5)) // gap of 2
    r.record(ev(4, 4)) // late: order violation
    r.record(ev(5, 1, 'd2'))
    r.record('not json')
    expect(r.report()).toEqual({ received: 7, unique: 5, duplicates: 1, gaps: 2, orderViolations: 1, invalid: 1, devices: 2, tests: 0 })
  })

  it("keeps a walk test's test flag, counts it and shows it first on the operator's line", () => {
    const r = new Recorder()
    const test = r.record(JSON.stringify({ ...JSON.parse(ev(1, 1)), test: true }))
    const live = r.record(ev(2, 2))
    expect(test?.test).toBe(true)
    expect(live?.test).toBeUndefined()
    expect(r.report().tests).toBe(1)
    expect(formatEventLine(test!)).toMatch(/^\S+ TEST SECURITY/)
    expect(formatEventLine(live!)).not.toContain('TEST')
  })
})
