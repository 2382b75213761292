import { describe, expect, it } from 'vitest'
import { EVENT_TYPES, KINDS, defaultPriority, isKnownType } from '../../../base/events/types.js'
import { EventSchema, IngestPayloadSchema, UnknownTypeError, buildEvent } from '../../../base/events/event.js'
import { UUID_V7_RE, UuidV7Generator, uuidV7Time } from '../../../base/events/uuidv7.js'

const who = { site: 'lotus', device: 'panel-1', kind: 'alarm' as const, location: { building: '3', grid: 'G-1' } }

describe('event types', () => {
  it('every kind has the supervision types and a generic fallback', () => {
    for (const k of KINDS) {
      for (const t of ['device.online', 'device.offline', 'other']) expect(isKnownType(k, t)).toBe(true)
    }
  })
  it.each([
    ['alarm', 'fire', 1],
    ['alarm', 'panic', 1],
    ['alarm', 'duress', 1],
    ['alarm', 'intrusion', 2],
    ['access', 'door.forced', 2],
    ['alarm', 'tamper', 2],
    ['parking', 'lock.fault', 3],
    ['alarm', 'device.offline', 3],
    ['access', 'credential', 4],
    ['parking', 'parking.occupied', 4],
    ['camera', 'motion', 2],
  ] as const)('%s %s has priority %i', (kind, type, p) => {
    expect(defaultPriority(kind, type)).toBe(p)
  })
  it('a type of another kind is not accepted', () => {
    expect(isKnownType('parking', 'door.forced')).toBe(false)
    expect(defaultPriority('camera', 'fire')).toBeUndefined()
  })
  it('priorities are 1-4 everywhere', () => {
    for (const k of KINDS) for (const p of Object.values(EVENT_TYPES[k])) expect([1, 2, 3, 4]).toContain(p)
  })
})

describe('UUIDv7', () => {
  it('has the version and variant bits and sorts in creation order within one millisecond', () => {
    const g = new UuidV7Generator(() => 1_700_000_000_000)
    const ids = Array.from({ length: 5000 }, () => g.next())
    for (const id of ids) expect(id).toMatch(UUID_V7_RE)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    expect(uuidV7Time(ids[0]!)).toBe(1_700_000_000_000)
  })
  it('stays monotonic when the clock steps back', () => {
    let t = 2_000_000
    const g = new UuidV7Generator(() => t)
    const a = g.next()
    t -= 1000
    const b = g.next()
    expect(b > a).toBe(true)
  })
})

describe('buildEvent', () => {
  it('fills in site, device location and the default priority', () => {
    const ev = buildEvent(
      who,
      { type: 'intrusion', zone: '015', location: { area: 'north fence' } },
      '0190f0f0-0000-7000-8000-000000000001',
      Date.UTC(2026, 10, 22),
    )
    expect(ev).toEqual({
      id: '0190f0f0-0000-7000-8000-000000000001',
      site: 'lotus',
      device: 'panel-1',
      kind: 'alarm',
      type: 'intrusion',
      priority: 2,
      building: '3',
      grid: 'G-1',
      area: 'north fence',
      zone: '015',
      receivedAt: '2026-11-22T00:00:00.000Z',
      attrs: {},
    })
    expect(EventSchema.safeParse({ ...ev, seq: 1 }).success).toBe(true)
  })
  it('refuses a type outside the kind list', () => {
    expect(() => buildEvent(who, { type: 'door.forced' }, 'x', 0)).toThrow(UnknownTypeError)
  })
  it('the event schema refuses a type of another kind', () => {
    const ev = { ...buildEvent(who, { type: 'fire' }, '0190f0f0-0000-7000-8000-000000000001', 0), seq: 1, type: 'lock.raised' }
    const r = EventSchema.safeParse(ev)
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]?.path).toEqual(['type'])
  })
})

describe('ingest payload', () => {
  it('accepts a minimal event and refuses unknown fields', () => {
    expect(IngestPayloadSchema.safeParse({ type: 'fire' }).success).toBe(true)
    const r = IngestPayloadSchema.safeParse({ type: 'fire', colour: 'red' })
    expect(r.success).toBe(false)
  })
  it('refuses an id that is not a UUID and a priority out of range', () => {
    expect(IngestPayloadSchema.safeParse({ type: 'fire', id: 'abc' }).success).toBe(false)
    expect(IngestPayloadSchema.safeParse({ type: 'fire', priority: 7 }).success).toBe(false)
  })
})
