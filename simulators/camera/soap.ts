import type http from 'node:http'
import type { Document } from '@xmldom/xmldom'
import { NS, child, parseXml, soapBody, textOf } from '../../adapters/onvif/xml.js'
import type { CameraAuth } from './auth.js'
import type { CameraModel } from './model.js'
import { SOAP_TYPE, type PullPoint } from './pullpoint.js'
import * as R from './replies.js'

/** Operations answered without a token: a client needs the camera's clock before it can make one. */
const PRE_AUTH = new Set(['GetSystemDateAndTime', 'GetServices', 'GetCapabilities'])

/** What the SOAP services use of the camera. */
export interface SoapContext {
  readonly model: CameraModel
  readonly auth: CameraAuth
  readonly pullPoint: PullPoint
  readonly stats: { authFailures: number }
  /** `http://host:port`, where the services are. */
  readonly base: string
  send(res: http.ServerResponse, status: number, type: string, body: string): void
}

/**
 * One SOAP request to the camera: the envelope checked, the WS-UsernameToken checked outside the
 * pre-auth operations, then the Device and Media operations answered here and the Events ones
 * passed to the PullPoint.
 */
export function serveSoap(c: SoapContext, url: string, text: string, res: http.ServerResponse): void {
  const fault = (code: 'Sender' | 'Receiver', subcodes: string[], reason: string): void => c.send(res, 400, SOAP_TYPE, R.fault(code, subcodes, reason))
  let doc: Document
  try {
    doc = parseXml(text)
  } catch {
    return fault('Sender', ['ter:WellFormed'], 'malformed XML')
  }
  const body = soapBody(doc)
  const header = child(doc.documentElement!, NS.soap, 'Header')
  if (!body) return fault('Sender', ['ter:WellFormed'], 'not a SOAP 1.2 envelope')
  const op = body.localName ?? ''
  const messageId = header ? textOf(child(header, NS.wsa, 'MessageID')) : undefined
  if (!PRE_AUTH.has(op)) {
    const verdict = c.auth.checkUsernameToken(header)
    if (verdict !== 'ok') {
      c.stats.authFailures++
      // [ONVIF Core §5.12.2] a refused token is HTTP 400 with ter:NotAuthorized.
      return c.send(res, 400, SOAP_TYPE, R.notAuthorized(verdict))
    }
  }
  const ok = (action: string, xml: string): void => c.send(res, 200, SOAP_TYPE, R.reply(action, xml, messageId))
  const sub = /^\/onvif\/subscription\/([\w-]+)$/.exec(url)
  if (sub) return c.pullPoint.operation(sub[1]!, op, body, header, messageId, res)
  if (url === '/onvif/subscription_manager') {
    // [WS-Addressing 1.0 Core §3.3] the reference parameter comes back as a header of its own.
    const id = header ? textOf(child(header, R.AXIS_EVENT_NS, 'SubscriptionId')) : undefined
    return c.pullPoint.operation(id ?? 'none', op, body, header, messageId, res)
  }
  switch (op) {
    case 'GetSystemDateAndTime':
      return ok(`${NS.tds}/GetSystemDateAndTimeResponse`, R.systemDateAndTime(c.model.cameraTime()))
    case 'GetDeviceInformation':
      return ok(`${NS.tds}/GetDeviceInformationResponse`, R.deviceInformation(c.model))
    case 'GetServices':
      return ok(`${NS.tds}/GetServicesResponse`, R.services(c.base))
    case 'GetCapabilities':
      return ok(`${NS.tds}/GetCapabilitiesResponse`, R.capabilities(c.base))
    case 'GetProfiles':
      return ok(`${NS.trt}/GetProfilesResponse`, R.profiles())
    case 'GetVideoSources':
      return ok(`${NS.trt}/GetVideoSourcesResponse`, R.videoSources())
    case 'GetSnapshotUri': {
      const token = textOf(child(body, NS.trt, 'ProfileToken')) ?? ''
      if (!(R.PROFILE_TOKENS as readonly string[]).includes(token)) return fault('Sender', ['ter:InvalidArgVal', 'ter:NoProfile'], 'no such profile')
      return ok(`${NS.trt}/GetSnapshotUriResponse`, R.snapshotUri(`${c.base}/snapshot/${token}.jpg`))
    }
    case 'CreatePullPointSubscription':
      return c.pullPoint.create(body, messageId, res)
    default:
      return fault('Receiver', ['ter:ActionNotSupported'], `${op} is not supported`)
  }
}
