import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/onvif/onvif.json' with { type: 'json' }
import { passwordDigest, usernameTokenHeader } from '../../../adapters/onvif/username-token.js'
import * as ops from '../../../adapters/onvif/soap.js'
import { NS, child, parseXml, soapBody, textOf } from '../../../adapters/onvif/xml.js'

describe('WS-UsernameToken', () => {
  const v = vectors.username_token
  it('computes the PasswordDigest of the vector', () => {
    expect(passwordDigest(Buffer.from(v.nonce_base64, 'base64'), v.created, v.password)).toBe(v.password_digest)
  })

  it("stamps Created with the camera's clock (our clock plus its offset)", () => {
    const twoHours = 2 * 3600_000
    const ours = Date.parse(v.created) - twoHours
    const header = usernameTokenHeader({
      username: v.username,
      password: v.password,
      cameraTimeMs: ours + twoHours,
      nonce: Buffer.from(v.nonce_base64, 'base64'),
    })
    expect(header).toContain(`<wsu:Created>${v.created}</wsu:Created>`)
    expect(header).toContain(`>${v.password_digest}</wsse:Password>`)
    expect(header).toContain(
      `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${v.nonce_base64}</wsse:Nonce>`,
    )
  })
})

describe('SOAP envelopes', () => {
  const cases: Array<[string, ops.SoapOperation, string, string]> = [
    ['GetSystemDateAndTime', ops.getSystemDateAndTime(), NS.tds, 'http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime'],
    ['GetDeviceInformation', ops.getDeviceInformation(), NS.tds, 'http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation'],
    ['GetServices', ops.getServices(), NS.tds, 'http://www.onvif.org/ver10/device/wsdl/GetServices'],
    ['GetCapabilities', ops.getCapabilities(), NS.tds, 'http://www.onvif.org/ver10/device/wsdl/GetCapabilities'],
    ['GetProfiles', ops.getProfiles(), NS.trt, 'http://www.onvif.org/ver10/media/wsdl/GetProfiles'],
    ['GetSnapshotUri', ops.getSnapshotUri('Profile_1'), NS.trt, 'http://www.onvif.org/ver10/media/wsdl/GetSnapshotUri'],
    [
      'CreatePullPointSubscription',
      ops.createPullPointSubscription(60_000),
      NS.tev,
      'http://www.onvif.org/ver10/events/wsdl/EventPortType/CreatePullPointSubscriptionRequest',
    ],
    ['PullMessages', ops.pullMessages(10_000, 50), NS.tev, 'http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest'],
    ['Renew', ops.renew(60_000), NS.wsnt, 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest'],
    ['Unsubscribe', ops.unsubscribe(), NS.wsnt, 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest'],
  ]

  it.each(cases)('%s carries Action, MessageID and To, and its body element in the right namespace', (name, op, ns, action) => {
    const to = 'http://10.0.0.7/onvif/subscription?id=1&x=<y>'
    const doc = parseXml(ops.envelope({ op, to, messageId: 'urn:uuid:0190-1', security: `<wsse:Security xmlns:wsse="${NS.wsse}"/>` }))
    const header = child(doc.documentElement!, NS.soap, 'Header')!
    expect(textOf(child(header, NS.wsa, 'Action'))).toBe(action)
    expect(textOf(child(header, NS.wsa, 'MessageID'))).toBe('urn:uuid:0190-1')
    expect(textOf(child(header, NS.wsa, 'To'))).toBe(to)
    expect(child(header, NS.wsse, 'Security')).toBeDefined()
    const body = soapBody(doc)!
    expect(body.namespaceURI).toBe(ns)
    expect(body.localName).toBe(name)
  })

  it('writes relative durations and echoes reference parameters', () => {
    expect(ops.pullMessages(10_000, 50).body).toContain('<tev:Timeout>PT10S</tev:Timeout><tev:MessageLimit>50</tev:MessageLimit>')
    expect(ops.renew(90_000).body).toContain('PT90S')
    const env = ops.envelope({
      op: ops.unsubscribe(),
      to: 'http://x/',
      messageId: 'urn:uuid:1',
      referenceParameters: ['<dom:SubscriptionId xmlns:dom="urn:d" wsa:IsReferenceParameter="true">7</dom:SubscriptionId>'],
    })
    expect(textOf(child(child(parseXml(env).documentElement!, NS.soap, 'Header')!, 'urn:d', 'SubscriptionId'))).toBe('7')
  })
})
