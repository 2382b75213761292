import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/onvif/onvif.json' with { type: 'json' }
import { classify, parseNotification } from '../../../adapters/onvif/notification.js'
import { parsePullMessages, parseFault } from '../../../adapters/onvif/responses.js'
import { parseChallenges, pickDigest } from '../../../adapters/onvif/digest.js'
import { parseProbeMatches } from '../../../adapters/onvif/ws-discovery.js'
import { parseXml } from '../../../adapters/onvif/xml.js'
import { CodecError } from '../../../base/errors.js'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'

/** Seeded mutations of real messages: a decoder may refuse them (CodecError), never throw anything else. */
function mutate(s: string, rng: () => number): string {
  const chars = [...s]
  const n = 1 + Math.floor(rng() * 6)
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rng() * chars.length)
    const op = rng()
    if (op < 0.33) chars.splice(at, 1 + Math.floor(rng() * 20))
    else if (op < 0.66) chars.splice(at, 0, ['<', '>', '"', ':', '/', '&', 'x', '\u0000', '<a>'][Math.floor(rng() * 9)]!)
    else chars[at] = String.fromCharCode(32 + Math.floor(rng() * 90))
  }
  return chars.join('')
}

function only<T>(f: () => T): void {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError)
  }
}

describe('decoders under mutated input', () => {
  const rng = seededRandom(20261122)
  const samples = vectors.notification_messages.map((v) => v.xml)
  const pull = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tev:PullMessagesResponse xmlns:tev="http://www.onvif.org/ver10/events/wsdl">${samples.join('')}</tev:PullMessagesResponse></s:Body></s:Envelope>`

  it('notification parsing and classification: 3000 mutations', () => {
    for (let i = 0; i < 3000; i++) {
      const xml = mutate(samples[i % samples.length]!, rng)
      only(() => classify(parseNotification(parseXml(xml).documentElement!)))
    }
  })

  it('PullMessages responses and faults: 1000 mutations', () => {
    for (let i = 0; i < 1000; i++) {
      const xml = mutate(pull, rng)
      only(() => {
        const doc = parseXml(xml)
        parseFault(doc)
        for (const m of parsePullMessages(doc).messages) only(() => classify(parseNotification(m)))
      })
    }
  })

  it('WWW-Authenticate parsing never throws', () => {
    const h = 'Digest realm="IP Camera", qop="auth,auth-int", nonce="abc", algorithm=SHA-256, opaque="x", Basic realm="y"'
    for (let i = 0; i < 3000; i++) expect(() => pickDigest(parseChallenges([mutate(h, rng)]))).not.toThrow()
  })

  it('ProbeMatches: 1000 mutations', () => {
    const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header><a:RelatesTo>urn:uuid:1</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:2</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/name/x%zz</d:Scopes><d:XAddrs>http://1.2.3.4/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`
    for (let i = 0; i < 1000; i++) only(() => parseProbeMatches(mutate(xml, rng)))
  })
})
