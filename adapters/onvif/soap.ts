import { NS, escapeXml } from './xml.js'

/**
 * SOAP 1.2 request envelopes with WS-Addressing headers. Pure strings in, string out.
 * ONVIF services are SOAP 1.2 [ONVIF Core §5.1]; strict cameras require wsa:Action, wsa:MessageID
 * and wsa:To on the subscription manager's operations [WS-Addressing 1.0 Core §3.2,
 * ONVIF Core §9.1.1], which is why every request carries all three.
 */

/** One operation: its wsa:Action URI and its Body content. */
export interface SoapOperation {
  action: string
  body: string
}

export interface EnvelopeInput {
  op: SoapOperation
  /** The endpoint the request is sent to (wsa:To). */
  to: string
  /** "urn:uuid:..." unique per request. */
  messageId: string
  /** The wsse:Security element, absent for pre-authentication operations. */
  security?: string
  /**
   * wsa:ReferenceParameters from the subscription reference, echoed as headers
   * [WS-Addressing 1.0 Core §3.3]; serialized XML elements.
   */
  referenceParameters?: readonly string[]
}

export function envelope(e: EnvelopeInput): string {
  const refs = (e.referenceParameters ?? []).join('')
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}"` +
    ` xmlns:tev="${NS.tev}" xmlns:wsnt="${NS.wsnt}" xmlns:tt="${NS.tt}">` +
    `<s:Header>${e.security ?? ''}` +
    `<wsa:Action s:mustUnderstand="1">${escapeXml(e.op.action)}</wsa:Action>` +
    `<wsa:MessageID>${escapeXml(e.messageId)}</wsa:MessageID>` +
    `<wsa:To s:mustUnderstand="1">${escapeXml(e.to)}</wsa:To>${refs}</s:Header>` +
    `<s:Body>${e.op.body}</s:Body></s:Envelope>`
  )
}

/** xs:duration of whole seconds, e.g. PT60S. */
export function durationSeconds(ms: number): string {
  return `PT${Math.max(1, Math.round(ms / 1000))}S`
}

const DEVICE = 'http://www.onvif.org/ver10/device/wsdl'
const MEDIA = 'http://www.onvif.org/ver10/media/wsdl'
const EVENTS = 'http://www.onvif.org/ver10/events/wsdl'
const WSN = 'http://docs.oasis-open.org/wsn/bw-2'

/** [ONVIF Core §8.3.1] Allowed before authentication: how we measure the camera's clock. */
export function getSystemDateAndTime(): SoapOperation {
  return { action: `${DEVICE}/GetSystemDateAndTime`, body: '<tds:GetSystemDateAndTime/>' }
}

/** [ONVIF Core §8.3.8] Manufacturer, model, firmware, serial. */
export function getDeviceInformation(): SoapOperation {
  return { action: `${DEVICE}/GetDeviceInformation`, body: '<tds:GetDeviceInformation/>' }
}

/** [ONVIF Core §8.1.2.1] Service addresses (Media, Events), the ONVIF 2.x way. */
export function getServices(includeCapability = false): SoapOperation {
  return {
    action: `${DEVICE}/GetServices`,
    body: `<tds:GetServices><tds:IncludeCapability>${includeCapability}</tds:IncludeCapability></tds:GetServices>`,
  }
}

/** [ONVIF Core §8.1.2.2] The older way, for cameras without GetServices. */
export function getCapabilities(): SoapOperation {
  return {
    action: `${DEVICE}/GetCapabilities`,
    body: '<tds:GetCapabilities><tds:Category>All</tds:Category></tds:GetCapabilities>',
  }
}

/** [ONVIF Media §5.2.1] */
export function getProfiles(): SoapOperation {
  return { action: `${MEDIA}/GetProfiles`, body: '<trt:GetProfiles/>' }
}

/** [ONVIF Media §5.16.2] */
export function getSnapshotUri(profileToken: string): SoapOperation {
  return {
    action: `${MEDIA}/GetSnapshotUri`,
    body: `<trt:GetSnapshotUri><trt:ProfileToken>${escapeXml(profileToken)}</trt:ProfileToken></trt:GetSnapshotUri>`,
  }
}

/** [ONVIF Core §9.5.2] InitialTerminationTime as a relative duration: immune to clock skew. */
export function createPullPointSubscription(terminationMs: number): SoapOperation {
  return {
    action: `${EVENTS}/EventPortType/CreatePullPointSubscriptionRequest`,
    body:
      '<tev:CreatePullPointSubscription>' +
      `<tev:InitialTerminationTime>${durationSeconds(terminationMs)}</tev:InitialTerminationTime>` +
      '</tev:CreatePullPointSubscription>',
  }
}

/** [ONVIF Core §9.5.3] A long poll: the camera answers when it has messages or at Timeout. */
export function pullMessages(timeoutMs: number, messageLimit: number): SoapOperation {
  return {
    action: `${EVENTS}/PullPointSubscription/PullMessagesRequest`,
    body:
      `<tev:PullMessages><tev:Timeout>${durationSeconds(timeoutMs)}</tev:Timeout>` + `<tev:MessageLimit>${messageLimit}</tev:MessageLimit></tev:PullMessages>`,
  }
}

/** [WS-BaseNotification §6.1] */
export function renew(terminationMs: number): SoapOperation {
  return {
    action: `${WSN}/SubscriptionManager/RenewRequest`,
    body: `<wsnt:Renew><wsnt:TerminationTime>${durationSeconds(terminationMs)}</wsnt:TerminationTime></wsnt:Renew>`,
  }
}

/** [WS-BaseNotification §6.2] */
export function unsubscribe(): SoapOperation {
  return { action: `${WSN}/SubscriptionManager/UnsubscribeRequest`, body: '<wsnt:Unsubscribe/>' }
}
