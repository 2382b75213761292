import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/onvif/onvif.json' with { type: 'json' }
import { digestAuthorization, digestResponse, parseChallenges, pickDigest } from '../../../adapters/onvif/digest.js'

describe('HTTP Digest [RFC 7616 §3.9.1]', () => {
  it.each(vectors.http_digest)('computes the $algorithm response of the RFC example', (v) => {
    const response = digestResponse({
      algorithm: v.algorithm,
      username: v.u,
      password: v.password,
      realm: v.realm,
      method: v.method,
      uri: v.uri,
      nonce: v.nonce,
      nc: v.nc,
      cnonce: v.cnonce,
      qop: 'auth',
    })
    expect(response).toBe(v.response)
  })

  it.each(vectors.http_digest)('writes an Authorization header the RFC example accepts ($algorithm)', (v) => {
    const header = digestAuthorization(
      { scheme: 'Digest', params: { realm: v.realm, qop: 'auth, auth-int', algorithm: v.algorithm, nonce: v.nonce, opaque: v.opaque } },
      { username: v.u, password: v.password },
      { method: v.method, uri: v.uri, cnonce: v.cnonce, nc: 1 },
    )
    expect(header).toContain(`response="${v.response}"`)
    expect(header).toContain(`opaque="${v.opaque}"`)
    expect(header).toContain('nc=00000001')
    expect(header).toContain('qop=auth')
    expect(header.startsWith('Digest ')).toBe(true)
  })

  it('parses the RFC example challenges sent as two headers and picks SHA-256', () => {
    const v = vectors.http_digest[0]!
    const headers = [
      `Digest realm="${v.realm}", qop="auth, auth-int", algorithm=SHA-256, nonce="${v.nonce}", opaque="${v.opaque}"`,
      `Digest realm="${v.realm}", qop="auth, auth-int", algorithm=MD5, nonce="${v.nonce}", opaque="${v.opaque}"`,
    ]
    const all = parseChallenges(headers)
    expect(all).toHaveLength(2)
    expect(all[1]!.params).toEqual({ realm: v.realm, qop: 'auth, auth-int', algorithm: 'MD5', nonce: v.nonce, opaque: v.opaque })
    expect(pickDigest(all)?.params['algorithm']).toBe('SHA-256')
  })

  it('splits several challenges in one header, including Basic, and never picks Basic', () => {
    const all = parseChallenges(['Basic realm="cam", Digest realm="cam", qop="auth", nonce="abc", Newauth realm="x"'])
    expect(all.map((c) => c.scheme)).toEqual(['Basic', 'Digest', 'Newauth'])
    expect(pickDigest(all)?.scheme).toBe('Digest')
    expect(pickDigest(parseChallenges(['Basic realm="cam"']))).toBeUndefined()
  })

  it('defaults to MD5, skips algorithms and qops it cannot answer', () => {
    expect(pickDigest(parseChallenges(['Digest realm="r", nonce="n1", qop="auth"']))?.params['nonce']).toBe('n1')
    expect(pickDigest(parseChallenges(['Digest realm="r", nonce="n1", algorithm=SHA-1024']))).toBeUndefined()
    expect(pickDigest(parseChallenges(['Digest realm="r", nonce="n1", qop="auth-int"']))).toBeUndefined()
  })

  it('unescapes quoted strings', () => {
    expect(parseChallenges(['Digest realm="a \\"b\\"", nonce="x"'])[0]!.params['realm']).toBe('a "b"')
  })

  it('answers a challenge without qop in the RFC 2069 form', () => {
    const h = digestAuthorization(
      { scheme: 'Digest', params: { realm: 'r', nonce: 'n' } },
      { username: 'u', password: 'p' },
      { method: 'GET', uri: '/s', cnonce: 'c' },
    )
    expect(h).not.toContain('qop=')
    expect(h).not.toContain('cnonce=')
  })
})
