import { describe, expect, it } from 'vitest'
import { Dc09UplinkSchema } from '../../../cloud-bridge/uplinks/dc09/config.js'
import { DEFAULT_CODES } from '../../../cloud-bridge/uplinks/dc09/mapping.js'
import { eventPayload, routed, type SiteInfo } from '../../../cloud-bridge/uplinks/dc09/message.js'
import { EVENT_TYPES } from '../../../base/events/types.js'
import type { GatewayEvent } from '../../../base/events/event.js'

const base = { id: 'arc', type: 'dc09', account: '1234', paths: [{ name: 'wired', receivers: [{ host: '127.0.0.1', port: 12000 }] }] }
const cfg = (extra: Record<string, unknown> = {}) => Dc09UplinkSchema.parse({ ...base, ...extra })
const site: SiteInfo = { coordinates: { lat: 31.2304, lon: 121.4737 }, deviceNames: new Map([['gate-3', 'Gate 3']]) }
const ev = (over: Partial<GatewayEvent>): GatewayEvent => ({
  id: '0190a0b0-0000-7000-8000-000000000001',
  seq: 1,
  site: 's',
  device: 'gate-3',
  kind: 'access',
  type: 'door.forced',
  priority: 2,
  receivedAt: '2025-01-15T14:30:00.000Z',
  attrs: {},
  ...over,
})
const CID = { token: 'ADM-CID' } as const
const SIA = { token: 'SIA-DCS' } as const

describe('event to code mapping [SIA DC-05, DC-03]', () => {
  it.each([
    ['alarm', 'intrusion', '#1234|1130 01 005', '#1234|Nri1/BA005'],
    ['alarm', 'intrusion.restore', '#1234|3130 01 005', '#1234|Nri1/BH005'],
    ['alarm', 'fire', '#1234|1110 01 005', '#1234|Nri1/FA005'],
    ['alarm', 'panic', '#1234|1120 01 005', '#1234|Nri1/PA005'],
    ['access', 'door.forced', '#1234|1423 01 005', '#1234|Nri1/DF005'],
    ['alarm', 'tamper', '#1234|1137 01 005', '#1234|Nri1/TA005'],
    ['parking', 'device.offline', '#1234|1381 01 005', '#1234|Nri1/EM005'],
    ['parking', 'lock.fault', '#1234|1330 01 005', '#1234|Nri1/ET005'],
    ['camera', 'motion', '#1234|1132 01 005', '#1234|Nri1/BA005'],
    ['camera', 'video.tamper', '#1234|1144 01 005', '#1234|Nri1/TA005'],
    ['alarm', 'test', '#1234|1602 01 005', '#1234|Nri1/RP005'],
  ] as const)('%s %s -> %s / %s', (kind, type, cid, sia) => {
    const e = ev({ kind, type, zone: '5' })
    expect(eventPayload(cfg({ xdata: { text: false, eventId: false, coordinates: false } }), site, CID, e)).toEqual({
      token: 'ADM-CID',
      account: '1234',
      data: cid,
      xdata: [],
    })
    expect(eventPayload(cfg({ xdata: { text: false, eventId: false, coordinates: false } }), site, SIA, e)?.data).toBe(sia)
  })

  it('a path fault of this uplink: 351 for the primary path, 352 for the backup', () => {
    const c = cfg({
      paths: [
        { name: 'wired', receivers: [{ host: 'h', port: 1 }] },
        { name: 'cellular', receivers: [{ host: 'h', port: 2 }] },
      ],
    })
    const fault = (path: string, uplink = 'arc') => ev({ device: 'gateway', kind: 'gateway', type: 'uplink.path.fault', attrs: { uplink, path } })
    expect(eventPayload(c, site, CID, fault('wired'))?.data).toBe('#1234|1351 00 000')
    expect(eventPayload(c, site, CID, fault('cellular'))?.data).toBe('#1234|1352 00 000')
    expect(eventPayload(c, site, CID, fault('cellular', 'other'))?.data).toBe('#1234|1351 00 000')
    expect(eventPayload(c, site, CID, { ...fault('cellular'), type: 'uplink.path.restore' })?.data).toBe('#1234|3352 00 000')
  })

  it('access.denied carries the user, not the zone', () => {
    expect(eventPayload(cfg(), site, CID, ev({ type: 'access.denied', user: '42', zone: '7' }))?.data).toBe('#1234|1421 01 042')
  })

  it('every table entry names a real event type', () => {
    const all = new Set(Object.values(EVENT_TYPES).flatMap((t) => Object.keys(t)))
    for (const type of DEFAULT_CODES.keys()) expect(all.has(type), type).toBe(true)
  })

  it('a type with no code is not sent; overrides per site and per device win, null silences', () => {
    const c = cfg({
      codes: { 'door.open': { cid: 441, sia: 'DO' }, intrusion: null },
      devices: { 'gate-3': { zone: 12, account: '5678', group: 2, codes: { 'door.forced': { cid: 424, sia: 'DF' } } } },
    })
    expect(eventPayload(cfg(), site, CID, ev({ type: 'door.open' }))).toBeUndefined()
    expect(eventPayload(c, site, CID, ev({ device: 'other', type: 'door.open' }))?.data).toBe('#1234|1441 01 000')
    expect(eventPayload(c, site, CID, ev({ device: 'other', kind: 'alarm', type: 'intrusion' }))).toBeUndefined()
    expect(eventPayload(c, site, CID, ev({ type: 'door.forced' }))?.data).toBe('#5678|1424 02 012')
  })

  it('zone numbers by zone name from the device override, the receiver account over the site', () => {
    const c = cfg({ devices: { 'panel-1': { zones: { lobby: 21 } } } })
    expect(eventPayload(c, site, { token: 'ADM-CID', account: 'ABCD' }, ev({ device: 'panel-1', kind: 'alarm', type: 'intrusion', zone: 'lobby' }))?.data).toBe(
      '#ABCD|1130 01 021',
    )
  })

  it('x-data: coordinates, verification URL of the snapshot, text, event id', () => {
    const c = cfg({ xdata: { verificationBaseUrl: 'https://gw.example:8080/' } })
    const p = eventPayload(c, site, SIA, ev({ kind: 'camera', device: 'cam-1', type: 'motion', attrs: { snapshot: 'cam-1/123.jpg' } }))
    expect(p?.xdata).toEqual([
      { tag: 'X', value: '121.4737' },
      { tag: 'Y', value: '31.2304' },
      { tag: 'V', value: 'https://gw.example:8080/api/v1/snapshots/cam-1/123.jpg' },
      { tag: 'I', value: 'cam-1: motion' },
      { tag: 'U', value: '0190a0b0-0000-7000-8000-000000000001' },
    ])
  })

  it('call direction: kinds and priority', () => {
    const c = cfg({ route: { kinds: ['alarm'], maxPriority: 2 } })
    expect(routed(c, { kind: 'alarm', priority: 1 })).toBe(true)
    expect(routed(c, { kind: 'alarm', priority: 3 })).toBe(false)
    expect(routed(c, { kind: 'access', priority: 1 })).toBe(false)
  })

  it('a walk test: Contact ID 607 begins (1) and ends (3), SIA TS and TE, whatever the call direction [DC-05 607, DC-03 TS/TE]', () => {
    const c = cfg({ route: { kinds: ['alarm'], maxPriority: 2 }, xdata: { text: false, eventId: false, coordinates: false } })
    const walk = (type: string, priority: 3 | 4 = 4) => ev({ device: 'gateway', kind: 'gateway', type, priority })
    expect(routed(c, walk('walktest.started'))).toBe(true)
    expect(routed(c, walk('walktest.ended', 3))).toBe(true)
    expect(eventPayload(c, site, CID, walk('walktest.started'))?.data).toBe('#1234|1607 00 000')
    expect(eventPayload(c, site, CID, walk('walktest.ended', 3))?.data).toBe('#1234|3607 00 000')
    expect(eventPayload(c, site, SIA, walk('walktest.started'))?.data).toBe('#1234|Nri0/TS000')
    expect(eventPayload(c, site, SIA, walk('walktest.ended'))?.data).toBe('#1234|Nri0/TE000')
  })

  it('config: accounts, keys and receivers are validated with a fix', () => {
    const bad = Dc09UplinkSchema.safeParse({
      ...base,
      account: '12',
      paths: [
        {
          name: 'wired',
          receivers: [
            { host: 'h', port: 1, keyHex: 'ABC' },
            { host: 'h', port: 2, keyAscii: 'short' },
          ],
        },
      ],
    })
    expect(bad.success).toBe(false)
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^account: use 3-16 hex digits/),
        expect.stringMatching(/^paths.0.receivers.0.keyHex: use 32, 48 or 64 hex digits/),
        expect.stringMatching(/^paths.0.receivers.1.keyAscii: use 16, 24 or 32/),
      ]),
    )
  })
})
