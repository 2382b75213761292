import { describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../../config/schema.js'
import { LinkRates } from '../../../gateway/api/views/link-rates.js'
import { supervisionOf } from '../../../gateway/api/views/supervision.js'

const link = (frames: number, retries = 0) => ({ frames, retries, crcErrors: 0, timeouts: 0, droppedBytes: 0 })

describe('link figures per minute', () => {
  it('are the rate over the last minute of readings, from the reading just past a minute old', () => {
    const r = new LinkRates()
    const t0 = 1_000_000
    expect(r.perMinute('d', link(5), t0)).toEqual(link(0))
    for (let s = 0; s <= 120; s += 10) r.sample('d', link(s * 2, s / 10), t0 + s * 1000)
    // At 120 s: the reading at 60 s is the base; 120 frames and 6 retries in that minute.
    expect(r.perMinute('d', link(240, 12), t0 + 120_000)).toEqual({ ...link(120), retries: 6 })
  })

  it('a counter that went back (its adapter restarted) counts from zero', () => {
    const r = new LinkRates()
    r.sample('d', link(1000), 0)
    expect(r.perMinute('d', link(30), 60_000).frames).toBe(30)
  })
})

describe('"loss detected after N s" from each adapter config', () => {
  const device = (d: Record<string, unknown>) =>
    ConfigSchema.parse({ version: 1, site: { id: 's', name: 'S' }, journal: { path: ':memory:' }, devices: [d] }).devices[0]!

  it.each([
    [
      'contact-id: the heartbeat timer',
      { id: 'rx', adapter: 'contact-id', kind: 'alarm', transport: { path: '/dev/ttyS0' } },
      { windowMs: 90_000, lossDetectedAfterSec: 90 },
    ],
    [
      'osdp: offlineAfterMs, then the poll and reply window that notices',
      { id: 'bus', adapter: 'osdp', kind: 'access', transport: { path: '/dev/ttyS1' }, readers: [{ address: 1, door: 'gate' }] },
      { windowMs: 8000, lossDetectedAfterSec: 9 },
    ],
    [
      'modbus: offlineAfterMisses polls, each after its retries',
      { id: 'lock', adapter: 'modbus', kind: 'parking', transport: { path: '/dev/ttyS2' }, unit: 1, profile: 'parking-lock' },
      { windowMs: 3000, lossDetectedAfterSec: 5 },
    ],
    [
      'onvif: never shorter than a long poll, checked every window/10 up to 500 ms',
      { id: 'cam', adapter: 'onvif', kind: 'camera', address: 'http://192.0.2.10' },
      { windowMs: 30_000, lossDetectedAfterSec: 31 },
    ],
    [
      'mqtt-ingest: supervisionMs plus the check interval',
      { id: 'p', adapter: 'mqtt-ingest', kind: 'access', supervisionMs: 60_000 },
      { windowMs: 60_000, lossDetectedAfterSec: 75 },
    ],
  ])('%s', (_name, d, expected) => {
    expect(supervisionOf(device(d))).toEqual(expected)
  })

  it('an mqtt-ingest device without supervisionMs is not supervised', () => {
    expect(supervisionOf(device({ id: 'p', adapter: 'mqtt-ingest', kind: 'access' }))).toBeNull()
  })
})
