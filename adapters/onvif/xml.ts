import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom'
import { CodecError } from '../../base/errors.js'

/** Namespace URIs we match on. Prefixes are the camera's choice; only these URIs are meaningful. */
export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsrfr: 'http://docs.oasis-open.org/wsrf/r-2',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
  tns1: 'http://www.onvif.org/ver10/topics',
  wsd: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  wsa2004: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
} as const

const ELEMENT_NODE = 1

/**
 * Parses XML; a malformed document is a CodecError, never a console line (xmldom logs to the
 * console unless given `onError`). Entity declarations are not expanded by xmldom.
 */
export function parseXml(text: string): Document {
  const problems: string[] = []
  let doc: Document
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') problems.push(msg)
      },
    }).parseFromString(text, 'text/xml')
  } catch (err) {
    throw new CodecError(`malformed XML: ${problems[0] ?? String(err)}`, { cause: err })
  }
  if (!doc.documentElement) throw new CodecError('XML without a root element')
  return doc
}

/** Child elements, optionally only those with this namespace URI and local name. */
export function children(parent: Node, ns?: string, local?: string): Element[] {
  const out: Element[] = []
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType !== ELEMENT_NODE) continue
    const el = n as Element
    if (ns !== undefined && el.namespaceURI !== ns) continue
    if (local !== undefined && el.localName !== local) continue
    out.push(el)
  }
  return out
}

export function child(parent: Node, ns: string, local: string): Element | undefined {
  return children(parent, ns, local)[0]
}

/** Follows a path of [ns, local] steps from `parent`; undefined when any step is missing. */
export function path(parent: Node, ...steps: Array<readonly [string, string]>): Element | undefined {
  let cur: Node | undefined = parent
  for (const [ns, local] of steps) {
    if (cur === undefined) return undefined
    cur = child(cur, ns, local)
  }
  return cur as Element | undefined
}

/** First descendant (depth first) with this namespace URI and local name. */
export function descendant(root: Node, ns: string, local: string): Element | undefined {
  for (const el of children(root)) {
    if (el.namespaceURI === ns && el.localName === local) return el
    const deeper = descendant(el, ns, local)
    if (deeper) return deeper
  }
  return undefined
}

export function textOf(el: Node | undefined): string | undefined {
  if (el === undefined) return undefined
  return (el.textContent ?? '').trim()
}

/** The SOAP 1.2 Body's first element, or undefined. */
export function soapBody(doc: Document): Element | undefined {
  const env = doc.documentElement
  if (!env || env.namespaceURI !== NS.soap || env.localName !== 'Envelope') return undefined
  const body = child(env, NS.soap, 'Body')
  return body ? children(body)[0] : undefined
}

/**
 * Resolves a QName written in element content ("tns1:RuleEngine/...") against the namespaces in
 * scope at `el`. Topic expressions carry prefixes in text, so the prefix must be looked up where
 * it appears [ONVIF Core §9.6.3, WS-Topics §7.2].
 */
export function resolveQName(el: Element, qname: string): { ns: string | null; local: string } {
  const colon = qname.indexOf(':')
  if (colon < 0) return { ns: el.lookupNamespaceURI(null), local: qname }
  const prefix = qname.slice(0, colon)
  return { ns: el.lookupNamespaceURI(prefix), local: qname.slice(colon + 1) }
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
