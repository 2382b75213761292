import type { Element } from '@xmldom/xmldom'
import { CodecError } from '../../base/errors.js'
import { NS, child, children, escapeXml, parseXml, resolveQName, soapBody, textOf } from './xml.js'

/**
 * WS-Discovery (the 2005/04 draft ONVIF uses) [WS-Discovery 2005/04 §5; ONVIF Core §7.3]. Pure:
 * builds the Probe an installer's tool multicasts to 239.255.255.250:3702 and reads the
 * ProbeMatches cameras send back (unicast, to the probe's source port).
 */

export const DISCOVERY_ADDRESS = '239.255.255.250'
export const DISCOVERY_PORT = 3702
const ACTION_PROBE = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe'
const TO_DISCOVERY = 'urn:schemas-xmlsoap-org:ws:2005:04:discovery'
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'
/** The type an ONVIF video device advertises [ONVIF Core §7.3.2]. */
export const NVT_TYPE = `{${NS.dn}}NetworkVideoTransmitter`

/** A Probe for ONVIF video devices. */
export function buildProbe(messageId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.wsa2004}" xmlns:d="${NS.wsd}" xmlns:dn="${NS.dn}">` +
    `<s:Header><a:Action s:mustUnderstand="1">${ACTION_PROBE}</a:Action><a:MessageID>${escapeXml(messageId)}</a:MessageID>` +
    `<a:ReplyTo><a:Address>${ANONYMOUS}</a:Address></a:ReplyTo><a:To s:mustUnderstand="1">${TO_DISCOVERY}</a:To></s:Header>` +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  )
}

export interface ProbeMatch {
  /** The device's stable identity (usually urn:uuid:...). */
  endpoint: string
  /** Types as {namespace}local, resolved where the prefixes were declared. */
  types: string[]
  scopes: string[]
  /** Device service addresses; a camera with several interfaces lists several. */
  xaddrs: string[]
  /** What ONVIF scopes say: onvif://www.onvif.org/<key>/<value> [ONVIF Core §7.3.2.2]. */
  hardware: string | undefined
  name: string | undefined
}

export interface ProbeMatches {
  relatesTo: string | undefined
  matches: ProbeMatch[]
}

function words(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter((w) => w !== '')
}

function scopeValue(scopes: string[], key: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${key}/`
  const s = scopes.find((x) => x.startsWith(prefix))
  if (s === undefined) return undefined
  const raw = s.slice(prefix.length)
  try {
    return decodeURIComponent(raw)
  } catch {
    // A malformed %-escape in a camera's scope: show it as sent.
    return raw
  }
}

function readMatch(m: Element): ProbeMatch | undefined {
  const epr = child(m, NS.wsa2004, 'EndpointReference') ?? child(m, NS.wsa, 'EndpointReference')
  const endpoint = textOf(epr ? (child(epr, NS.wsa2004, 'Address') ?? child(epr, NS.wsa, 'Address')) : undefined)
  if (!endpoint) return undefined
  const typesEl = child(m, NS.wsd, 'Types')
  const types = typesEl
    ? words(textOf(typesEl)).map((q) => {
        const r = resolveQName(typesEl, q)
        return r.ns ? `{${r.ns}}${r.local}` : r.local
      })
    : []
  const scopes = words(textOf(child(m, NS.wsd, 'Scopes')))
  return {
    endpoint,
    types,
    scopes,
    xaddrs: words(textOf(child(m, NS.wsd, 'XAddrs'))),
    hardware: scopeValue(scopes, 'hardware'),
    name: scopeValue(scopes, 'name'),
  }
}

/** Reads a ProbeMatches datagram. Throws CodecError for anything else. */
export function parseProbeMatches(xml: string): ProbeMatches {
  const doc = parseXml(xml)
  const body = soapBody(doc)
  if (!body || body.namespaceURI !== NS.wsd || body.localName !== 'ProbeMatches') {
    throw new CodecError(`not a ProbeMatches message (${body?.localName ?? 'no body'})`)
  }
  const header = child(doc.documentElement!, NS.soap, 'Header')
  const relatesTo = header ? textOf(child(header, NS.wsa2004, 'RelatesTo') ?? child(header, NS.wsa, 'RelatesTo')) : undefined
  const matches = children(body, NS.wsd, 'ProbeMatch')
    .map(readMatch)
    .filter((x): x is ProbeMatch => x !== undefined)
  return { relatesTo, matches }
}
