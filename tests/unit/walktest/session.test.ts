import { describe, expect, it } from 'vitest'
import { expectedPoints } from '../../../gateway/walktest/points.js'
import { WalkTestSession, type SessionOptions } from '../../../gateway/walktest/session.js'
import type { WalkTestView } from '../../../gateway/walktest/schema.js'
import type { GatewayEvent } from '../../../base/events/event.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { cid, committed, siteDevices } from './fixtures.js'

const ALL = expectedPoints(siteDevices())
const T0 = Date.parse('2026-12-01T10:00:00Z')

function session(keys: string[], extra: Partial<SessionOptions> = {}) {
  const timers = new ManualTimers(T0)
  const views: WalkTestView[] = []
  const ended: WalkTestSession[] = []
  const s = new WalkTestSession({
    id: 'wt-1',
    installer: 'Li Wei',
    points: ALL.filter((p) => keys.includes(p.key)),
    excluded: [],
    includeLifeSafety: false,
    timeLimitMs: 30 * 60_000,
    timers,
    onChange: (v) => views.push(v),
    onEnd: (x) => ended.push(x),
    ...extra,
  })
  /** The marker then the fan-out, as the gateway does: only a marked event counts. */
  const feed = (ev: GatewayEvent) => {
    if (s.isTestEvent(ev)) ev.test = true
    s.committed(ev)
  }
  return { s, timers, views, ended, feed }
}

describe('walk test session', () => {
  it('a zone is tested by its alarm then its restore; a restore first does not count', () => {
    const { s, feed } = session(['alarm-rx/015', 'alarm-rx/002'])
    feed(cid('intrusion.restore', '015', 'restore'))
    expect(s.view().points[1]).toMatchObject({ key: 'alarm-rx/015', steps: [], tested: false })
    feed(cid('intrusion', '015', 'new', '1234', T0 + 1000))
    feed(cid('intrusion.restore', '015', 'restore', '1234', T0 + 2000))
    expect(s.view().points[1]).toMatchObject({ steps: ['alarm', 'restore'], tested: true, testedAt: new Date(T0 + 2000).toISOString() })
    expect(s.view().untested).toBe(1)
  })

  it("an account's own zone is not tested by the same zone number of another account", () => {
    const { s, feed } = session(['alarm-rx/5678-015'])
    feed(cid('intrusion', '015', 'new', '1234'))
    feed(cid('intrusion.restore', '015', 'restore', '1234'))
    expect(s.view().points[0]!.tested).toBe(false)
    feed(cid('intrusion', '015', 'new', '5678'))
    feed(cid('intrusion.restore', '015', 'restore', '5678'))
    expect(s.running).toBe(false)
  })

  it("a zone's tamper, bypass or trouble is not its test; a panel's own 'zone walk tested' report is", () => {
    const { s, feed } = session(['alarm-rx/002', 'alarm-rx/015'])
    feed(committed('alarm-rx', 'tamper', { attrs: { zone: '002', qualifier: 'new', code: '144' } }))
    feed(committed('alarm-rx', 'bypass', { attrs: { zone: '002', qualifier: 'new', code: '570' } }))
    expect(s.view().points[0]!.steps).toEqual([])
    feed(committed('alarm-rx', 'test', { attrs: { zone: '002', qualifier: 'new', code: '613' } }))
    expect(s.view().points[0]!.tested).toBe(true)
  })

  it('a door is tested by opening then closing, a reader by a card or a keypad entry', () => {
    const { s, feed } = session(['doors/main-gate/reader', 'doors/main-gate/door', 'doors/block-a/reader'])
    feed(committed('doors', 'door.closed', { zone: 'main-gate' }))
    feed(committed('doors', 'access.denied', { zone: 'main-gate' }))
    feed(committed('doors', 'door.open', { zone: 'main-gate' }))
    feed(committed('doors', 'door.closed', { zone: 'main-gate' }))
    expect(s.view().points.map((p) => [p.key, p.steps])).toEqual([
      ['doors/main-gate/reader', ['read']],
      ['doors/main-gate/door', ['open', 'closed']],
      ['doors/block-a/reader', []],
    ])
    feed(committed('doors', 'keypad', { zone: 'block-a' }))
    expect(s.result).toBe('complete')
  })

  it('a lock by a raise and a lower in either order; a camera by motion or a snapshot; a producer by any event but supervision', () => {
    const { s, feed, ended } = session(['lock-1', 'cam-1', 'intercom'])
    feed(committed('lock-1', 'lock.lowered'))
    feed(committed('intercom', 'device.online'))
    feed(committed('cam-1', 'snapshot'))
    expect(s.untested.map((p) => p.key)).toEqual(['lock-1', 'intercom'])
    feed(committed('lock-1', 'lock.raised'))
    feed(committed('intercom', 'door.open', { zone: 'lobby' }))
    expect(ended).toEqual([s])
    expect(s.view()).toMatchObject({ state: 'complete', result: 'complete', endedBy: 'all-tested', untested: 0 })
  })

  it('marks only events of points on test, and no life-safety event unless included', () => {
    const { s } = session(['alarm-rx/015', 'doors/block-a/reader'])
    expect(s.isTestEvent(cid('intrusion', '015', 'new'))).toBe(true)
    expect(s.isTestEvent(cid('intrusion', '002', 'new'))).toBe(false)
    expect(s.isTestEvent(cid('fire', '015', 'new'))).toBe(false)
    expect(s.isTestEvent(committed('doors', 'credential', { zone: 'main-gate' }))).toBe(false)
    expect(s.isTestEvent(committed('lock-1', 'lock.raised'))).toBe(false)
    const included = session(['alarm-rx/009'], { includeLifeSafety: true }).s
    expect(included.isTestEvent(cid('fire', '009', 'new'))).toBe(true)
  })

  it("the gateway's supervision of a device on test stays live: a device lost meanwhile is a real fault", () => {
    const { s } = session(['lock-1', 'doors/block-a/reader'])
    expect(s.isTestEvent(committed('lock-1', 'device.offline'))).toBe(false)
    expect(s.isTestEvent(committed('doors', 'device.online', { zone: 'block-a' }))).toBe(false)
    expect(s.isTestEvent(committed('doors', 'tamper', { zone: 'block-a' }))).toBe(true)
  })

  it('an unmarked event does not count, even of a point on test', () => {
    const { s } = session(['lock-1'])
    s.committed(committed('lock-1', 'lock.raised'))
    expect(s.view().points[0]!.steps).toEqual([])
  })

  it('at the time limit it ends incomplete with the untested points, and nothing counts after', async () => {
    const { s, timers, views, ended, feed } = session(['lock-1', 'cam-1'], { timeLimitMs: 5 * 60_000 })
    feed(committed('cam-1', 'motion'))
    expect(timers.dueTimes()).toEqual([T0 + 5 * 60_000])
    await timers.fireNext()
    expect(ended).toEqual([s])
    expect(s.view()).toMatchObject({
      state: 'incomplete',
      result: 'incomplete',
      endedBy: 'time-limit',
      untested: 1,
      endedAt: new Date(T0 + 5 * 60_000).toISOString(),
    })
    expect(s.untested.map((p) => p.key)).toEqual(['lock-1'])
    const ev = committed('lock-1', 'lock.raised')
    feed(ev)
    expect(ev.test).toBeUndefined()
    expect(views.at(-1)!.state).toBe('incomplete')
  })

  it('the installer ends it once; its timer is cleared', () => {
    const { s, timers, ended } = session(['lock-1'])
    timers.advance(60_000)
    s.end('installer')
    s.end('installer')
    s.end('time-limit')
    expect(ended).toHaveLength(1)
    expect(timers.size).toBe(0)
    expect(s.view()).toMatchObject({ state: 'ended', result: 'incomplete', endedBy: 'installer', endedAt: new Date(T0 + 60_000).toISOString() })
  })

  it('tells each step to its listener, live', () => {
    const { views, feed } = session(['lock-1', 'cam-1'])
    feed(committed('lock-1', 'lock.raised'))
    feed(committed('lock-1', 'lock.fault'))
    expect(views.map((v) => v.points[0]!.steps)).toEqual([['raised']])
  })

  it('keeps the clock offset a camera event shows', () => {
    const { s, feed } = session(['cam-1', 'lock-1'])
    feed(committed('cam-1', 'motion', { occurredAt: '2026-12-01T10:00:00.000Z', attrs: { cameraTime: '2026-12-01T10:00:07.500Z' } }))
    expect(s.stepsOf('cam-1')[0]).toMatchObject({ step: 'seen', clockOffsetMs: 7500, clockBasis: 'onvif-measured' })
  })
})
