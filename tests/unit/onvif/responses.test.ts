import { describe, expect, it } from 'vitest'
import * as rsp from '../../../adapters/onvif/responses.js'
import { parseXml } from '../../../adapters/onvif/xml.js'
import { CodecError } from '../../../base/errors.js'

const ENV = (body: string, ns = '') =>
  `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:wsa5="http://www.w3.org/2005/08/addressing" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" ${ns}><env:Body>${body}</env:Body></env:Envelope>`

describe('SOAP response readers', () => {
  it('reads a ResourceUnknown fault by subcode, and by detail alone', () => {
    const bySubcode = rsp.parseFault(
      parseXml(
        ENV(
          '<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>wsrf-rw:ResourceUnknownFault</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">gone</env:Text></env:Reason></env:Fault>',
          'xmlns:wsrf-rw="http://docs.oasis-open.org/wsrf/rw-2"',
        ),
      ),
    )!
    expect(bySubcode).toMatchObject({ code: 'env:Sender', reason: 'gone', resourceUnknown: true, notAuthorized: false })
    const byDetail = rsp.parseFault(
      parseXml(
        ENV(
          '<env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text>x</env:Text></env:Reason><env:Detail><r:ResourceUnknownFault xmlns:r="http://docs.oasis-open.org/wsrf/r-2"/></env:Detail></env:Fault>',
        ),
      ),
    )!
    expect(byDetail.resourceUnknown).toBe(true)
  })

  it('reads ter:NotAuthorized nested two subcodes deep', () => {
    const f = rsp.parseFault(
      parseXml(
        ENV(
          '<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:NotAuthorized</env:Value><env:Subcode><env:Value>ter:Other</env:Value></env:Subcode></env:Subcode></env:Code><env:Reason><env:Text>no</env:Text></env:Reason></env:Fault>',
          'xmlns:ter="http://www.onvif.org/ver10/error"',
        ),
      ),
    )!
    expect(f.subcodes).toEqual(['{http://www.onvif.org/ver10/error}NotAuthorized', '{http://www.onvif.org/ver10/error}Other'])
    expect(f.notAuthorized).toBe(true)
  })

  it('is undefined for a response that is not a fault', () => {
    expect(rsp.parseFault(parseXml(ENV('<tds:GetDeviceInformationResponse/>')))).toBeUndefined()
  })

  it('reads the camera clock from GetSystemDateAndTime', () => {
    const doc = parseXml(
      ENV(
        '<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime><tt:Time><tt:Hour>12</tt:Hour><tt:Minute>0</tt:Minute><tt:Second>5</tt:Second></tt:Time><tt:Date><tt:Year>2026</tt:Year><tt:Month>11</tt:Month><tt:Day>22</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>',
      ),
    )
    expect(rsp.parseSystemDateAndTime(doc)).toBe(Date.parse('2026-11-22T12:00:05Z'))
    expect(() => rsp.parseSystemDateAndTime(parseXml(ENV('<tds:GetSystemDateAndTimeResponse/>')))).toThrow(CodecError)
  })

  it('reads a subscription with reference parameters to echo', () => {
    const doc = parseXml(
      ENV(
        '<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa5:Address>http://cam/onvif/pullpoint</wsa5:Address><wsa5:ReferenceParameters><dom0:SubscriptionId xmlns:dom0="http://www.axis.com/2009/event">42</dom0:SubscriptionId></wsa5:ReferenceParameters></tev:SubscriptionReference>' +
          '<wsnt:CurrentTime>2026-11-22T12:00:00Z</wsnt:CurrentTime><wsnt:TerminationTime>2026-11-22T12:01:00Z</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>',
      ),
    )
    const s = rsp.parseSubscription(doc)
    expect(s.address).toBe('http://cam/onvif/pullpoint')
    expect(s.terminationTime! - s.currentTime!).toBe(60_000)
    expect(s.referenceParameters).toHaveLength(1)
    expect(s.referenceParameters[0]).toContain('>42</dom0:SubscriptionId>')
    expect(s.referenceParameters[0]).toContain('IsReferenceParameter="true"')
  })

  it('reads services, capabilities, profiles and the snapshot URI', () => {
    expect(
      rsp.parseServices(
        parseXml(
          ENV(
            '<tds:GetServicesResponse><tds:Service><tds:Namespace>http://www.onvif.org/ver10/events/wsdl</tds:Namespace><tds:XAddr>http://cam/ev</tds:XAddr></tds:Service></tds:GetServicesResponse>',
          ),
        ),
      ),
    ).toEqual({ 'http://www.onvif.org/ver10/events/wsdl': 'http://cam/ev' })
    expect(
      rsp.parseCapabilities(
        parseXml(
          ENV(
            '<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>http://cam/media</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>',
          ),
        ),
      ),
    ).toEqual({ 'http://www.onvif.org/ver10/media/wsdl': 'http://cam/media' })
    expect(
      rsp.parseProfiles(
        parseXml(
          ENV(
            '<trt:GetProfilesResponse><trt:Profiles token="P1"><tt:Name>main</tt:Name></trt:Profiles><trt:Profiles><tt:Name>no token</tt:Name></trt:Profiles></trt:GetProfilesResponse>',
          ),
        ),
      ),
    ).toEqual([{ token: 'P1', name: 'main' }])
    expect(
      rsp.parseSnapshotUri(
        parseXml(ENV('<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://cam/snap.jpg?x=1&amp;y=2</tt:Uri></trt:MediaUri></trt:GetSnapshotUriResponse>')),
      ),
    ).toBe('http://cam/snap.jpg?x=1&y=2')
  })

  it('names what it expected when the body is something else', () => {
    expect(() => rsp.parsePullMessages(parseXml(ENV('<tds:GetDeviceInformationResponse/>')))).toThrow(/expected PullMessagesResponse/)
  })
})
