import { describe, expect, it, vi } from 'vitest'
import { actionsFor, doorsOf, paramsFor } from '../../../console/lib/actions.js'
import { applyState, isStale, matchesFilter, sortDevices } from '../../../console/lib/devices.js'
import { addEvent, matches, mergeEvents, searchPath, snapshotOf } from '../../../console/lib/event-log.js'
import { formatAge, formatBytes } from '../../../console/lib/format.js'
import { throttle } from '../../../console/lib/throttle.js'
import type { DeviceView, EventView } from '../../../console/types.js'

const NOW = Date.parse('2026-05-01T12:00:00Z')
const dev = (id: string, over: Partial<DeviceView> = {}): DeviceView => ({
  id,
  adapter: 'osdp',
  kind: 'access',
  location: { building: '3' },
  online: true,
  state: {},
  info: {},
  ...over,
})
const ev = (id: string, over: Partial<EventView> = {}): EventView => ({
  id,
  device: 'gate',
  kind: 'access',
  type: 'access.granted',
  priority: 4,
  receivedAt: '2026-05-01T12:00:00Z',
  attrs: { card: '4567' },
  ...over,
})

describe('console devices table', () => {
  it('is stale when offline, or silent past its supervision window', () => {
    expect(isStale(dev('a', { online: false }), NOW)).toBe(true)
    const seen = new Date(NOW - 90_000).toISOString()
    expect(isStale(dev('a', { lastSeenAt: seen, supervision: { windowMs: 60_000, lossDetectedAfterSec: 60 } }), NOW)).toBe(true)
    expect(isStale(dev('a', { lastSeenAt: seen, supervision: { windowMs: 120_000, lossDetectedAfterSec: 120 } }), NOW)).toBe(false)
    expect(isStale(dev('a', { lastSeenAt: seen }), NOW)).toBe(false)
  })

  it('sorts by a column either way and filters on every word', () => {
    const list = [dev('b', { online: false }), dev('a'), dev('c', { kind: 'camera', location: { area: 'car park' } })]
    expect(sortDevices(list, 'id', false).map((d) => d.id)).toEqual(['a', 'b', 'c'])
    expect(sortDevices(list, 'id', true).map((d) => d.id)).toEqual(['c', 'b', 'a'])
    expect(sortDevices(list, 'online', false).map((d) => d.id)).toEqual(['b', 'a', 'c'])
    expect(list.filter((d) => matchesFilter(d, 'camera PARK')).map((d) => d.id)).toEqual(['c'])
    expect(list.filter((d) => matchesFilter(d, '')).length).toBe(3)
  })

  it('takes a live state change', () => {
    const out = applyState([dev('a'), dev('b')], { device: 'b', online: false, reason: 'no answer' })
    expect(out[1]).toMatchObject({ online: false, reason: 'no answer' })
    expect(out[0]).toMatchObject({ online: true })
  })
})

describe('console live log', () => {
  it('keeps newest first, bounded, without repeats', () => {
    let list: EventView[] = []
    for (let i = 0; i < 5; i++) list = addEvent(list, ev(`e${i}`), 3)
    list = addEvent(list, ev('e4'), 3)
    expect(list.map((e) => e.id)).toEqual(['e4', 'e3', 'e2'])
  })

  it('merges a reloaded page under live events that came first, newest first', () => {
    const live = [ev('new', { receivedAt: '2026-05-01T12:00:05Z' })]
    const page = [
      ev('new', { receivedAt: '2026-05-01T12:00:05Z' }),
      ev('mid', { receivedAt: '2026-05-01T12:00:03Z' }),
      ev('old', { receivedAt: '2026-05-01T12:00:01Z' }),
    ]
    expect(mergeEvents(live, page).map((e) => e.id)).toEqual(['new', 'mid', 'old'])
    expect(mergeEvents([ev('late', { receivedAt: '2026-05-01T12:00:09Z' })], page, 2).map((e) => e.id)).toEqual(['late', 'new'])
  })

  it('searches the journal from the newest event, then further back from the cursor of a partial page', () => {
    expect(searchPath(' card 4567 ', null)).toBe('/events?q=card+4567&limit=100')
    expect(searchPath('a&b', '812345')).toBe('/events?q=a%26b&limit=100&cursor=812345')
  })

  it('finds the picture a snapshot event refers to', () => {
    expect(snapshotOf(ev('1', { type: 'snapshot', attrs: { snapshot: { id: 'cam-1/1796151418845-0.jpg', bytes: 312 } } }))).toBe('cam-1/1796151418845-0.jpg')
    expect(snapshotOf(ev('2'))).toBeUndefined()
  })

  it('searches type, device, zone and attributes', () => {
    expect(matches(ev('1'), '4567')).toBe(true)
    expect(matches(ev('1', { zone: '12' }), 'zone 12')).toBe(true)
    expect(matches(ev('1', { zone: '12' }), 'zone 13')).toBe(false)
    expect(matches(ev('1', { zone: '12' }), '12')).toBe(true)
    expect(matches(ev('1'), '  ')).toBe(true)
  })
})

describe('console test buttons and formats', () => {
  it('offers what each adapter takes, with a door when the bus has several', () => {
    expect(actionsFor('osdp', 'access')).toContain('unlock')
    expect(actionsFor('modbus', 'parking')).toEqual(['raise', 'lower', 'clear-fault'])
    expect(actionsFor('onvif', 'camera')).toEqual(['snapshot'])
    expect(actionsFor('contact-id', 'alarm')).toEqual([])
    expect(doorsOf({ readers: { 'main-gate': {}, 'block-a': {} } })).toEqual(['main-gate', 'block-a'])
    expect(paramsFor('led', 'block-a')).toMatchObject({ door: 'block-a', color: 'green' })
    expect(paramsFor('unlock', undefined)).toEqual({})
  })

  it('formats ages and sizes', () => {
    expect(formatAge(59, 'en')).toBe('59 s')
    expect(formatAge(3600 * 5 + 10, 'zh')).toBe('5 小时')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB')
  })
})

describe('console refetch pacing', () => {
  it('calls at once when idle, then once at the end of the window however many calls came', () => {
    vi.useFakeTimers({ now: 0 })
    try {
      let calls = 0
      const run = throttle(() => calls++, 1000)
      run()
      expect(calls).toBe(1)
      for (let i = 0; i < 10; i++) run()
      expect(calls).toBe(1)
      vi.advanceTimersByTime(999)
      expect(calls).toBe(1)
      vi.advanceTimersByTime(1)
      expect(calls).toBe(2)
      vi.advanceTimersByTime(5000)
      run()
      expect(calls).toBe(3)
    } finally {
      vi.useRealTimers()
    }
  })
})
