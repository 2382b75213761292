import { XMLSerializer, type Document, type Element } from '@xmldom/xmldom'
import { CodecError } from '../../base/errors.js'
import { NS, child, children, descendant, path, resolveQName, soapBody, textOf } from './xml.js'

/**
 * Readers of the SOAP responses we use. Pure: a parsed document in, plain data out; a response of
 * the wrong shape is a CodecError naming what was missing.
 */

/** A SOAP 1.2 fault [SOAP 1.2 Part 1 §5.4], with the ONVIF conditions we act on. */
export interface SoapFault {
  code: string
  subcodes: string[]
  reason: string
  /** The subscription is gone (camera rebooted or expired it) [WS-ResourceFramework r-2 §3]. */
  resourceUnknown: boolean
  /** Credentials or clock refused [ONVIF Core §5.12.2, ter:NotAuthorized]. */
  notAuthorized: boolean
}

export function parseFault(doc: Document): SoapFault | undefined {
  const fault = soapBody(doc)
  if (!fault || fault.namespaceURI !== NS.soap || fault.localName !== 'Fault') return undefined
  const codeEl = child(fault, NS.soap, 'Code')
  const code = textOf(codeEl ? child(codeEl, NS.soap, 'Value') : undefined) ?? ''
  const subcodes: string[] = []
  let sub = codeEl ? child(codeEl, NS.soap, 'Subcode') : undefined
  while (sub) {
    const v = child(sub, NS.soap, 'Value')
    const text = textOf(v)
    if (v && text) {
      const q = resolveQName(v, text)
      subcodes.push(q.ns ? `{${q.ns}}${q.local}` : q.local)
    }
    sub = child(sub, NS.soap, 'Subcode')
  }
  const reason = textOf(path(fault, [NS.soap, 'Reason'], [NS.soap, 'Text'])) ?? ''
  const detail = child(fault, NS.soap, 'Detail')
  const resourceUnknown =
    subcodes.some((s) => s.endsWith('ResourceUnknownFault') || s.endsWith('}ResourceUnknown')) ||
    (detail !== undefined && descendant(detail, NS.wsrfr, 'ResourceUnknownFault') !== undefined)
  const notAuthorized = subcodes.some((s) => s.endsWith('}NotAuthorized') || s === 'NotAuthorized')
  return { code, subcodes, reason, resourceUnknown, notAuthorized }
}

/** The Body's response element, checked by namespace and name. */
export function responseElement(doc: Document, ns: string, local: string): Element {
  const el = soapBody(doc)
  if (!el || el.namespaceURI !== ns || el.localName !== local) {
    throw new CodecError(`expected ${local} in the SOAP body, got ${el ? el.localName : 'nothing'}`)
  }
  return el
}

function num(el: Element | undefined, ns: string, local: string): number {
  const v = Number(textOf(el ? child(el, ns, local) : undefined))
  return Number.isFinite(v) ? v : NaN
}

/** [ONVIF Core §8.3.1] UTCDateTime as ms since the epoch. */
export function parseSystemDateAndTime(doc: Document): number {
  const r = responseElement(doc, NS.tds, 'GetSystemDateAndTimeResponse')
  const utc = path(r, [NS.tds, 'SystemDateAndTime'], [NS.tt, 'UTCDateTime'])
  const d = utc ? child(utc, NS.tt, 'Date') : undefined
  const t = utc ? child(utc, NS.tt, 'Time') : undefined
  const ms = Date.UTC(
    num(d, NS.tt, 'Year'),
    num(d, NS.tt, 'Month') - 1,
    num(d, NS.tt, 'Day'),
    num(t, NS.tt, 'Hour'),
    num(t, NS.tt, 'Minute'),
    num(t, NS.tt, 'Second'),
  )
  if (!Number.isFinite(ms)) throw new CodecError('GetSystemDateAndTime without a complete UTCDateTime')
  return ms
}

export interface DeviceInformation {
  manufacturer: string
  model: string
  firmwareVersion: string
  serialNumber: string
  hardwareId: string
}

export function parseDeviceInformation(doc: Document): DeviceInformation {
  const r = responseElement(doc, NS.tds, 'GetDeviceInformationResponse')
  const f = (n: string): string => textOf(child(r, NS.tds, n)) ?? ''
  return {
    manufacturer: f('Manufacturer'),
    model: f('Model'),
    firmwareVersion: f('FirmwareVersion'),
    serialNumber: f('SerialNumber'),
    hardwareId: f('HardwareId'),
  }
}

/** Service addresses by namespace, from GetServices [ONVIF Core §8.1.2.1]. */
export function parseServices(doc: Document): Record<string, string> {
  const r = responseElement(doc, NS.tds, 'GetServicesResponse')
  const out: Record<string, string> = {}
  for (const s of children(r, NS.tds, 'Service')) {
    const ns = textOf(child(s, NS.tds, 'Namespace'))
    const xaddr = textOf(child(s, NS.tds, 'XAddr'))
    if (ns && xaddr) out[ns] = xaddr
  }
  return out
}

/** Media and Events addresses from GetCapabilities [ONVIF Core §8.1.2.2]. */
export function parseCapabilities(doc: Document): Record<string, string> {
  const r = responseElement(doc, NS.tds, 'GetCapabilitiesResponse')
  const caps = child(r, NS.tds, 'Capabilities')
  const out: Record<string, string> = {}
  const take = (local: string, ns: string): void => {
    const x = textOf(caps ? path(caps, [NS.tt, local], [NS.tt, 'XAddr']) : undefined)
    if (x) out[ns] = x
  }
  take('Device', NS.tds)
  take('Media', NS.trt)
  take('Events', NS.tev)
  return out
}

export interface Profile {
  token: string
  name: string
}

/** [ONVIF Media §5.2.1] */
export function parseProfiles(doc: Document): Profile[] {
  const r = responseElement(doc, NS.trt, 'GetProfilesResponse')
  return children(r, NS.trt, 'Profiles')
    .map((p) => ({ token: p.getAttribute('token') ?? '', name: textOf(child(p, NS.tt, 'Name')) ?? '' }))
    .filter((p) => p.token !== '')
}

/** [ONVIF Media §5.16.2] */
export function parseSnapshotUri(doc: Document): string {
  const r = responseElement(doc, NS.trt, 'GetSnapshotUriResponse')
  const uri = textOf(path(r, [NS.trt, 'MediaUri'], [NS.tt, 'Uri']))
  if (!uri) throw new CodecError('GetSnapshotUri without a Uri')
  return uri
}

/** Subscription times: the camera's own clock, so only their difference is meaningful to us. */
export interface SubscriptionTimes {
  currentTime: number | undefined
  terminationTime: number | undefined
}

function times(el: Element, ns: string): SubscriptionTimes {
  const t = (local: string): number | undefined => {
    const v = Date.parse(textOf(child(el, ns, local)) ?? '')
    return Number.isFinite(v) ? v : undefined
  }
  return { currentTime: t('CurrentTime'), terminationTime: t('TerminationTime') }
}

export interface Subscription extends SubscriptionTimes {
  /** The subscription manager's address: PullMessages, Renew and Unsubscribe go here. */
  address: string
  /** Serialized wsa:ReferenceParameters children, echoed on every request to `address`. */
  referenceParameters: string[]
}

/** [ONVIF Core §9.5.2] */
export function parseSubscription(doc: Document): Subscription {
  const r = responseElement(doc, NS.tev, 'CreatePullPointSubscriptionResponse')
  const ref = child(r, NS.tev, 'SubscriptionReference')
  const address = textOf(ref ? child(ref, NS.wsa, 'Address') : undefined)
  if (!ref || !address) throw new CodecError('CreatePullPointSubscription without a SubscriptionReference Address')
  const params = child(ref, NS.wsa, 'ReferenceParameters')
  const ser = new XMLSerializer()
  const referenceParameters = params
    ? children(params).map((el) => {
        el.setAttributeNS(NS.wsa, 'wsa:IsReferenceParameter', 'true')
        return ser.serializeToString(el)
      })
    : []
  return { address, referenceParameters, ...times(r, NS.wsnt) }
}

export interface PullResult extends SubscriptionTimes {
  messages: Element[]
}

/** [ONVIF Core §9.5.3] */
export function parsePullMessages(doc: Document): PullResult {
  const r = responseElement(doc, NS.tev, 'PullMessagesResponse')
  return { ...times(r, NS.tev), messages: children(r, NS.wsnt, 'NotificationMessage') }
}

/** [WS-BaseNotification §6.1.2] */
export function parseRenew(doc: Document): SubscriptionTimes {
  return times(responseElement(doc, NS.wsnt, 'RenewResponse'), NS.wsnt)
}
