import { NS, escapeXml } from '../../adapters/onvif/xml.js'
import type { SimMessage } from './model.js'

/**
 * SOAP 1.2 replies as an ONVIF camera writes them. Written out by hand from the ONVIF Core and
 * Media WSDLs, independent of the adapter's request builders.
 */

const DECL =
  `xmlns:s="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}" xmlns:tev="${NS.tev}" ` +
  `xmlns:wsnt="${NS.wsnt}" xmlns:tt="${NS.tt}" xmlns:tns1="${NS.tns1}" xmlns:ter="${NS.ter}" xmlns:wsrf-r="${NS.wsrfr}"`

/** A reply envelope; `relatesTo` echoes the request's MessageID [WS-Addressing 1.0 Core §3.4]. */
export function reply(action: string, body: string, relatesTo?: string): string {
  const rel = relatesTo ? `<wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>` : ''
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${DECL}><s:Header><wsa:Action>${escapeXml(action)}</wsa:Action>${rel}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
}

/** [SOAP 1.2 Part 1 §5.4; ONVIF Core §5.11.2] */
export function fault(code: 'Sender' | 'Receiver', subcodes: string[], reason: string, detail = ''): string {
  const sub = subcodes.reduceRight((inner, v) => `<s:Subcode><s:Value>${v}</s:Value>${inner}</s:Subcode>`, '')
  const det = detail ? `<s:Detail>${detail}</s:Detail>` : ''
  return reply(
    'http://www.w3.org/2005/08/addressing/soap/fault',
    `<s:Fault><s:Code><s:Value>s:${code}</s:Value>${sub}</s:Code><s:Reason><s:Text xml:lang="en">${escapeXml(reason)}</s:Text></s:Reason>${det}</s:Fault>`,
  )
}

export function notAuthorized(why: string): string {
  return fault('Sender', ['ter:NotAuthorized'], `Sender not authorized: ${why}`)
}

/** [WS-BaseNotification / WS-ResourceFramework r-2 §3.1] the subscription does not exist. */
export function resourceUnknown(address: string): string {
  return fault(
    'Sender',
    ['wsrf-r:ResourceUnknownFault'],
    'The subscription is unknown',
    `<wsrf-r:ResourceUnknownFault><wsrf-r:Timestamp>${new Date().toISOString()}</wsrf-r:Timestamp><wsrf-r:Description>${escapeXml(address)}</wsrf-r:Description></wsrf-r:ResourceUnknownFault>`,
  )
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** [ONVIF Core §8.3.1] */
export function systemDateAndTime(cameraMs: number): string {
  const d = new Date(cameraMs)
  return (
    '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>' +
    '<tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone><tt:UTCDateTime>' +
    `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>` +
    '</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>'
  )
}

export function deviceInformation(i: { manufacturer: string; model: string; serial: string }): string {
  return (
    `<tds:GetDeviceInformationResponse><tds:Manufacturer>${escapeXml(i.manufacturer)}</tds:Manufacturer><tds:Model>${escapeXml(i.model)}</tds:Model>` +
    `<tds:FirmwareVersion>1.4.2</tds:FirmwareVersion><tds:SerialNumber>${i.serial}</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId></tds:GetDeviceInformationResponse>`
  )
}

export function services(base: string): string {
  const svc = (ns: string, path: string): string =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base}${path}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>`
  return `<tds:GetServicesResponse>${svc(NS.tds, '/onvif/device_service')}${svc(NS.trt, '/onvif/media_service')}${svc(NS.tev, '/onvif/events_service')}</tds:GetServicesResponse>`
}

export function capabilities(base: string): string {
  return (
    '<tds:GetCapabilitiesResponse><tds:Capabilities>' +
    `<tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device>` +
    `<tt:Events><tt:XAddr>${base}/onvif/events_service</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>` +
    '<tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>' +
    `<tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>` +
    '</tds:Capabilities></tds:GetCapabilitiesResponse>'
  )
}

export const PROFILE_TOKENS = ['Profile_1', 'Profile_2'] as const

export function profiles(): string {
  const p = (token: string, name: string, w: number, h: number): string =>
    `<trt:Profiles token="${token}" fixed="true"><tt:Name>${name}</tt:Name>` +
    '<tt:VideoSourceConfiguration token="VideoSourceConfig_0"><tt:Name>VideoSource</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>VideoSource_0</tt:SourceToken>' +
    `<tt:Bounds x="0" y="0" width="${w}" height="${h}"/></tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="VideoEncoder_${token}"><tt:Name>${name}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>` +
    `<tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution><tt:Quality>4</tt:Quality>` +
    '<tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>' +
    '</tt:VideoEncoderConfiguration></trt:Profiles>'
  return `<trt:GetProfilesResponse>${p('Profile_1', 'mainStream', 1920, 1080)}${p('Profile_2', 'subStream', 640, 360)}</trt:GetProfilesResponse>`
}

export function videoSources(): string {
  return (
    '<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_0"><tt:Framerate>25</tt:Framerate>' +
    '<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>'
  )
}

export function snapshotUri(uri: string): string {
  return (
    `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${escapeXml(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    '<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>'
  )
}

/** Axis cameras name the subscription in a reference parameter instead of the address. */
export const AXIS_EVENT_NS = 'http://www.axis.com/2009/event'

export function subscription(address: string, currentMs: number, terminationMs: number, referenceId?: string): string {
  const params = referenceId
    ? `<wsa:ReferenceParameters><dom0:SubscriptionId xmlns:dom0="${AXIS_EVENT_NS}">${escapeXml(referenceId)}</dom0:SubscriptionId></wsa:ReferenceParameters>`
    : ''
  return (
    `<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>${escapeXml(address)}</wsa:Address>${params}</tev:SubscriptionReference>` +
    `<wsnt:CurrentTime>${iso(currentMs)}</wsnt:CurrentTime><wsnt:TerminationTime>${iso(terminationMs)}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>`
  )
}

function notification(m: SimMessage): string {
  const items = (list: Array<[string, string]>): string => list.map(([n, v]) => `<tt:SimpleItem Name="${escapeXml(n)}" Value="${escapeXml(v)}"/>`).join('')
  const op = m.operation ? ` PropertyOperation="${m.operation}"` : ''
  return (
    `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">tns1:${escapeXml(m.topic)}</wsnt:Topic>` +
    `<wsnt:Message><tt:Message UtcTime="${iso(m.utcTime)}"${op}><tt:Source>${items(m.source)}</tt:Source><tt:Data>${items(m.data)}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`
  )
}

export function pullMessages(currentMs: number, terminationMs: number, messages: SimMessage[]): string {
  return (
    `<tev:PullMessagesResponse><tev:CurrentTime>${iso(currentMs)}</tev:CurrentTime><tev:TerminationTime>${iso(terminationMs)}</tev:TerminationTime>` +
    `${messages.map(notification).join('')}</tev:PullMessagesResponse>`
  )
}

export function renew(currentMs: number, terminationMs: number): string {
  return `<wsnt:RenewResponse><wsnt:TerminationTime>${iso(terminationMs)}</wsnt:TerminationTime><wsnt:CurrentTime>${iso(currentMs)}</wsnt:CurrentTime></wsnt:RenewResponse>`
}
