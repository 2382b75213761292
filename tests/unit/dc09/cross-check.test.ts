import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import { encodeFrame } from '../../../cloud-bridge/uplinks/dc09/frame.js'
import { Dc09UplinkSchema } from '../../../cloud-bridge/uplinks/dc09/config.js'
import { DEFAULT_CODES } from '../../../cloud-bridge/uplinks/dc09/mapping.js'
import { eventPayload } from '../../../cloud-bridge/uplinks/dc09/message.js'
import { parseFrame } from '../../../simulators/alarm-centre/protocol.js'
import { EVENT_TYPES, KINDS } from '../../../base/events/types.js'
import type { GatewayEvent } from '../../../base/events/event.js'

/**
 * The uplink's encoder against the receiver simulator's decoder, written apart: every coded event
 * type, both tokens, plain and AES-128/192/256, random zones, users, accounts and x-data.
 */
const rnd = seededRandom(9_0_9)
const int = (n: number) => Math.floor(rnd() * n)
const hex = (n: number) => Array.from({ length: n }, () => '0123456789ABCDEF'[int(16)]).join('')

const CASES = [...DEFAULT_CODES.keys()].flatMap((type) => {
  const kind = KINDS.find((k) => Object.hasOwn(EVENT_TYPES[k], type))!
  return (['ADM-CID', 'SIA-DCS'] as const).map((token) => ({ type, kind, token, keyBytes: [0, 16, 24, 32][int(4)]! }))
})

describe('uplink encoder -> simulator decoder (seeded)', () => {
  it.each(CASES)('$type as $token (key $keyBytes bytes)', ({ type, kind, token, keyBytes }) => {
    const account = hex(4 + int(5))
    const cfg = Dc09UplinkSchema.parse({ id: 'arc', type: 'dc09', account, paths: [{ name: 'p', receivers: [{ host: 'h', port: 1 }] }] })
    const ev: GatewayEvent = {
      id: `0190a0b0-0000-7000-8000-${hex(12).toLowerCase()}`,
      seq: 1,
      site: 's',
      device: 'd-1',
      kind,
      type,
      priority: 2,
      receivedAt: '2026-01-01T00:00:00.000Z',
      zone: String(int(1000)),
      user: String(int(1000)),
      attrs: {},
    }
    const p = eventPayload(cfg, { coordinates: { lat: 22.5431, lon: 114.0579 }, deviceNames: new Map([['d-1', 'Gate [north]']]) }, { token }, ev)!
    const key = keyBytes ? Buffer.from(hex(keyBytes * 2), 'hex') : undefined
    const ts = Date.UTC(2026, 0, 1) + int(86_400) * 1000
    const frame = encodeFrame(
      { token: p.token, seq: 1 + int(9999), receiver: hex(1 + int(3)), line: hex(1 + int(3)), account: p.account, data: p.data, xdata: p.xdata, timestamp: ts },
      key ? { key, randomByte: () => int(256) } : {},
    )
    const r = parseFrame(frame, (a) => (a === account ? key : undefined))
    if (!r.ok) throw new Error(r.why)
    expect(r.msg).toMatchObject({ id: token, encrypted: key !== undefined, account, data: p.data, time: ts })
    expect(r.msg.x).toEqual(Object.fromEntries(p.xdata.map((x) => [x.tag, x.value])))
    expect(r.msg.x['U']).toBe(ev.id)
  })
})
