import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { quickIngestPayload } from '../../../gateway/broker/ingest-payload.js'
import { IngestPayloadSchema } from '../../../base/events/event.js'

/** Each field: values the schema accepts and values it refuses, near the bounds. */
const str = (max: number) => fc.oneof(fc.string({ maxLength: max }), fc.string({ minLength: max, maxLength: max + 2 }), fc.integer(), fc.constant(null))
const field = {
  id: fc.oneof(
    fc.uuid(),
    fc.constantFrom(
      '00000000-0000-0000-0000-000000000000',
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B',
      '0190a1b2-c3d4-0e5f-8a9b-0c1d2e3f4a5b',
      '0190a1b2-c3d4-7e5f-ca9b-0c1d2e3f4a5b',
      'not-a-uuid',
    ),
    fc.string(),
  ),
  kind: fc.constantFrom('alarm', 'access', 'parking', 'camera', 'gateway', 'door', 'Alarm', 1),
  type: fc.oneof(fc.constantFrom('test', 'door.open', '', 'x'.repeat(64), 'x'.repeat(65)), fc.string({ maxLength: 70 }), fc.integer()),
  priority: fc.constantFrom(0, 1, 2, 3, 4, 5, 1.5, '1', null),
  occurredAt: fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2026-12-01T18:00:00+08:00', '2026-12-01T18:00:00', '2026-12-01T18:00:00.123456Z', '2026-12-01 18:00:00Z', '2026-13-01T18:00:00Z'),
    fc.string(),
  ),
  zone: str(64),
  user: str(64),
  attrs: fc.oneof(
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
    fc.constant([]),
    fc.constant(null),
    fc.constant('x'),
    fc.constant(JSON.parse('{"__proto__":{"a":1}}') as unknown),
  ),
  raw: str(4096),
  grid: str(64),
  building: str(64),
  unit: str(64),
  area: str(128),
  extra: fc.anything(),
}
const payload = fc.record(field, { requiredKeys: [] })
/** Mostly well-formed: each field valid, now and then just past a bound, so acceptance is exercised at the edges. */
const edge = <T>(valid: fc.Arbitrary<T>, ...misses: unknown[]) =>
  fc.oneof({ arbitrary: valid as fc.Arbitrary<unknown>, weight: 8 }, { arbitrary: fc.constantFrom(...misses), weight: 1 })
const upTo = (max: number) => edge(fc.oneof(fc.string({ maxLength: max }), fc.constant('y'.repeat(max))), 'y'.repeat(max + 1), 5)
const wellFormed = fc.record(
  {
    id: edge(fc.uuid(), '0190a1b2-c3d4-0e5f-8a9b-0c1d2e3f4a5b', '0190a1b2-c3d4-7e5f-ca9b-0c1d2e3f4a5b'),
    kind: edge(fc.constantFrom('alarm', 'access'), 'door'),
    type: edge(fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), fc.constant('x'.repeat(64))), '', 'x'.repeat(65)),
    priority: edge(fc.constantFrom(1, 2, 3, 4), 0, 5, 2.5),
    occurredAt: edge(
      fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
      '2026-12-01T18:00:00',
      '2026-12-01 18:00:00Z',
    ),
    zone: upTo(64),
    user: upTo(64),
    raw: upTo(4096),
    grid: upTo(64),
    building: upTo(64),
    unit: upTo(64),
    area: upTo(128),
    attrs: edge(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), [], null),
  },
  { requiredKeys: ['type'] },
)

describe('ingest payload fast path', () => {
  it('accepts only what IngestPayloadSchema accepts, and returns what it returns', () => {
    let taken = 0
    fc.assert(
      fc.property(fc.oneof(payload, wellFormed, fc.anything()), (p) => {
        // As from the wire: JSON text parsed, so no undefined, no functions.
        const text = JSON.stringify(p)
        if (text === undefined) return
        const json: unknown = JSON.parse(text)
        const quick = quickIngestPayload(json)
        if (quick === undefined) return
        const zod = IngestPayloadSchema.safeParse(json)
        expect(zod.success).toBe(true)
        expect(quick).toStrictEqual(zod.data)
        taken++
      }),
      { numRuns: 3000 },
    )
    expect(taken).toBeGreaterThan(100)
  })

  it.each([
    '{"type":"test","attrs":{"n":1}}',
    '{"type":"door.open","kind":"access","priority":2,"zone":"z1","grid":"g7","attrs":{}}',
    '{"id":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","type":"intrusion","occurredAt":"2026-12-01T18:00:00.123+08:00"}',
  ])('takes the common payload %s without zod', (text) => {
    const json: unknown = JSON.parse(text)
    expect(quickIngestPayload(json)).toStrictEqual(IngestPayloadSchema.parse(json))
  })

  it.each(['{"type":"test","extra":1}', '{"type":""}', '{"type":"test","priority":5}', '{"type":"test","attrs":[]}', '[]'])('leaves %s to zod', (text) => {
    expect(quickIngestPayload(JSON.parse(text))).toBeUndefined()
  })
})
