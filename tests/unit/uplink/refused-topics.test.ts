import { describe, expect, it } from 'vitest'
import { RefusedTopics } from '../../../cloud-bridge/uplinks/refused-topics.js'
import { certificateFix, serverName } from '../../../cloud-bridge/uplinks/link-errors.js'

const STATUS = 'pingan/v1/s/gateway/status'

describe('refused topics', () => {
  it('a single close on a topic is chance; the second in a row holds it back for a minute', () => {
    let now = 0
    const t = new RefusedTopics(() => now)
    expect(t.closedOn(STATUS)).toBeUndefined()
    expect(t.isHeld(STATUS)).toBe(false)
    expect(t.closedOn(STATUS)).toBe(60_000)
    expect(t.isHeld(STATUS)).toBe(true)
    now = 59_999
    expect(t.isHeld(STATUS)).toBe(true)
    now = 60_000
    expect(t.isHeld(STATUS)).toBe(false)
  })

  it('a close on something else in between, or an acknowledgement, clears the suspicion', () => {
    const t = new RefusedTopics(() => 0)
    t.closedOn(STATUS)
    t.closedOn(undefined)
    expect(t.closedOn(STATUS)).toBeUndefined()
    t.accepted(STATUS)
    expect(t.closedOn(STATUS)).toBeUndefined()
  })

  it('each new refusal doubles the hold, up to an hour; an accepted publish forgets them', () => {
    let now = 0
    const t = new RefusedTopics(() => now)
    const holds: number[] = []
    for (let i = 0; i < 8; i++) {
      holds.push(t.refuse(STATUS))
      now += holds[holds.length - 1]!
    }
    expect(holds).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000])
    t.accepted(STATUS)
    expect(t.refuse(STATUS)).toBe(60_000)
  })
})

describe('TLS connection details', () => {
  it('sends a host name as SNI, never an IP address (RFC 6066 §3)', () => {
    expect(serverName('platform.example.cn', undefined)).toBe('platform.example.cn')
    expect(serverName('10.0.0.7', undefined)).toBeUndefined()
    expect(serverName('::1', undefined)).toBeUndefined()
    expect(serverName('10.0.0.7', 'platform.example.cn')).toBe('platform.example.cn')
  })

  it('says which CA file, host or name to fix when the certificate does not verify', () => {
    const target = { host: '10.0.0.7', port: 8883, tls: true, ca: '/etc/pingan/ca.pem' }
    const err = (code: string) => Object.assign(new Error(code), { code })
    expect(certificateFix(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), target)).toContain('/etc/pingan/ca.pem')
    expect(certificateFix(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), target)).toContain('10.0.0.7:8883')
    expect(certificateFix(err('ERR_TLS_CERT_ALTNAME_INVALID'), { ...target, servername: 'gw.example' })).toContain('gw.example')
    expect(certificateFix(err('ECONNREFUSED'), target)).toBeUndefined()
  })
})
