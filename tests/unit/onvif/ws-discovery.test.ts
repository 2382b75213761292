import { describe, expect, it } from 'vitest'
import { NVT_TYPE, buildProbe, parseProbeMatches } from '../../../adapters/onvif/ws-discovery.js'
import { NS, child, parseXml, soapBody, textOf } from '../../../adapters/onvif/xml.js'
import { CodecError } from '../../../base/errors.js'

// In the shape of WS-Discovery 2005/04 §5.3 and ONVIF Core §7.3, with the prefixes a camera may pick.
const MATCHES = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:tdn="http://www.onvif.org/ver10/network/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl">
<SOAP-ENV:Header><wsa:MessageID>uuid:7b1a</wsa:MessageID><wsa:RelatesTo>urn:uuid:probe-1</wsa:RelatesTo>
<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>
<SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:4419d2a0-0000-1000-8000-c0562735a2d2</wsa:Address></wsa:EndpointReference>
<wsdd:Types>tdn:NetworkVideoTransmitter tds:Device</wsdd:Types>
<wsdd:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/hardware/DS-2CD2143G0-I onvif://www.onvif.org/name/Gate%20North onvif://www.onvif.org/location/city/shenzhen</wsdd:Scopes>
<wsdd:XAddrs>http://192.168.1.64/onvif/device_service http://[fe80::1]/onvif/device_service</wsdd:XAddrs><wsdd:MetadataVersion>10</wsdd:MetadataVersion></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`

describe('WS-Discovery', () => {
  it('builds a Probe for NetworkVideoTransmitter with Action, MessageID and To', () => {
    const doc = parseXml(buildProbe('urn:uuid:probe-1'))
    const header = child(doc.documentElement!, NS.soap, 'Header')!
    expect(textOf(child(header, NS.wsa2004, 'Action'))).toBe('http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe')
    expect(textOf(child(header, NS.wsa2004, 'MessageID'))).toBe('urn:uuid:probe-1')
    expect(textOf(child(header, NS.wsa2004, 'To'))).toBe('urn:schemas-xmlsoap-org:ws:2005:04:discovery')
    const body = soapBody(doc)!
    expect(body.localName).toBe('Probe')
    expect(textOf(child(body, NS.wsd, 'Types'))).toBe('dn:NetworkVideoTransmitter')
  })

  it('reads a ProbeMatches answer, resolving type prefixes and ONVIF scopes', () => {
    const r = parseProbeMatches(MATCHES)
    expect(r.relatesTo).toBe('urn:uuid:probe-1')
    expect(r.matches).toHaveLength(1)
    expect(r.matches[0]).toMatchObject({
      endpoint: 'urn:uuid:4419d2a0-0000-1000-8000-c0562735a2d2',
      xaddrs: ['http://192.168.1.64/onvif/device_service', 'http://[fe80::1]/onvif/device_service'],
      hardware: 'DS-2CD2143G0-I',
      name: 'Gate North',
    })
    expect(r.matches[0]!.types).toContain(NVT_TYPE)
  })

  it('refuses anything that is not ProbeMatches', () => {
    expect(() => parseProbeMatches(buildProbe('urn:uuid:x'))).toThrow(CodecError)
    expect(() => parseProbeMatches('not xml')).toThrow(CodecError)
  })
})
