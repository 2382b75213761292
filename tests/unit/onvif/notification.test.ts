import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/onvif/onvif.json' with { type: 'json' }
import { parseXml } from '../../../adapters/onvif/xml.js'
import { classify, parseNotification } from '../../../adapters/onvif/notification.js'
import { CodecError } from '../../../base/errors.js'

const WSNT = 'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:tt="http://www.onvif.org/ver10/schema"'

function message(topic: string, data: string, op = 'Changed', ns = 'xmlns:tns1="http://www.onvif.org/ver10/topics"'): string {
  const prop = op === '' ? '' : ` PropertyOperation="${op}"`
  return (
    `<wsnt:NotificationMessage ${WSNT} ${ns}><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${topic}</wsnt:Topic>` +
    `<wsnt:Message><tt:Message UtcTime="2026-11-22T10:00:05Z"${prop}><tt:Source><tt:SimpleItem Name="Rule" Value="R1"/></tt:Source>` +
    `<tt:Data>${data}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`
  )
}

function decode(xml: string) {
  return classify(parseNotification(parseXml(xml).documentElement!))
}

describe('ONVIF notification messages', () => {
  it.each(vectors.notification_messages)('$name', (v) => {
    const c = decode(v.xml)
    expect({ type: c.type, active: c.active }).toEqual(v.expect)
  })

  it('keeps the topic, time, source and data of a message', () => {
    const n = parseNotification(parseXml(vectors.notification_messages[0]!.xml).documentElement!)
    expect(n).toMatchObject({
      topic: 'tns1:RuleEngine/CellMotionDetector/Motion',
      topicNs: 'http://www.onvif.org/ver10/topics',
      topicPath: 'RuleEngine/CellMotionDetector/Motion',
      operation: 'Changed',
      utcTime: '2026-11-22T10:00:05Z',
      data: { IsMotion: 'true' },
    })
    expect(n.source['Rule']).toBe('MyMotionDetectorRule')
  })

  it.each([
    ['tns1:VideoSource/MotionAlarm', '<tt:SimpleItem Name="State" Value="true"/>', 'motion'],
    ['tns1:VideoSource/MotionAlarm', '<tt:SimpleItem Name="IsMotion" Value="true"/>', 'motion'],
    ['tns1:RuleEngine/CellMotionDetector/Motion', '<tt:SimpleItem Name="State" Value="1"/>', 'motion'],
    ['tns1:RuleEngine/TamperDetector/Tamper', '<tt:SimpleItem Name="IsTamper" Value="false"/>', 'video.tamper.restore'],
    ['tns1:VideoSource/GlobalSceneChange/ImagingService', '<tt:SimpleItem Name="State" Value="true"/>', 'video.tamper'],
    ['tns1:VideoSource/GlobalSceneChange/AnalyticsService', '<tt:SimpleItem Name="State" Value="false"/>', 'video.tamper.restore'],
    ['tns1:Device/Trigger/DigitalInput', '<tt:SimpleItem Name="LogicalState" Value="false"/>', 'input.end'],
    ['tns1:RuleEngine/LineDetector/Crossed', '<tt:SimpleItem Name="ObjectId" Value="7"/>', 'line.crossed'],
    ['tns1:RuleEngine/FieldDetector/ObjectsInside', '<tt:SimpleItem Name="IsInside" Value="true"/>', 'field.intrusion'],
    ['tns1:RuleEngine/FieldDetector/ObjectsInside', '<tt:SimpleItem Name="IsInside" Value="false"/>', 'field.intrusion.end'],
    // A vendor's own value name is accepted when it is the only boolean.
    ['tns1:RuleEngine/CellMotionDetector/Motion', '<tt:SimpleItem Name="Motion" Value="true"/>', 'motion'],
  ])('%s with %s is %s', (topic, data, type) => {
    expect(decode(message(topic, data)).type).toBe(type)
  })

  it('keeps an unknown topic as "other", never dropped', () => {
    const c = decode(message('tns1:Monitoring/ProcessorUsage', '<tt:SimpleItem Name="Value" Value="33"/>'))
    expect(c).toMatchObject({ signal: 'other', type: 'other' })
  })

  it('does not take a look-alike topic in a vendor namespace for an ONVIF one', () => {
    const c = decode(
      message(
        'acme:RuleEngine/CellMotionDetector/Motion',
        '<tt:SimpleItem Name="IsMotion" Value="true"/>',
        'Changed',
        'xmlns:acme="http://acme.example/topics"',
      ),
    )
    expect(c.type).toBe('other')
  })

  it('reads vendor prefixes on later topic segments', () => {
    const c = decode(
      message(
        'tns1:RuleEngine/acme:CellMotionDetector/Motion',
        '<tt:SimpleItem Name="IsMotion" Value="true"/>',
        'Changed',
        'xmlns:tns1="http://www.onvif.org/ver10/topics" xmlns:acme="urn:acme"',
      ),
    )
    expect(c.type).toBe('motion')
  })

  it('treats Deleted as state and a stateless line crossing as an event', () => {
    expect(decode(message('tns1:Device/Trigger/DigitalInput', '<tt:SimpleItem Name="LogicalState" Value="true"/>', 'Deleted')).type).toBe('state')
    expect(decode(message('tns1:RuleEngine/LineDetector/Crossed', '<tt:SimpleItem Name="ObjectId" Value="1"/>', '')).type).toBe('line.crossed')
  })

  it('reads a line detector announced as a property by its State, never by its ObjectId', () => {
    expect(decode(message('tns1:RuleEngine/LineDetector/Crossed', '<tt:SimpleItem Name="State" Value="false"/>', 'Initialized'))).toMatchObject({
      type: 'state',
      active: false,
    })
    expect(decode(message('tns1:RuleEngine/LineDetector/Crossed', '<tt:SimpleItem Name="ObjectId" Value="1"/>', 'Initialized'))).toMatchObject({
      type: 'state',
      active: undefined,
    })
    expect(decode(message('tns1:RuleEngine/LineDetector/Crossed', '<tt:SimpleItem Name="ObjectId" Value="0"/>', ''))).toMatchObject({
      type: 'line.crossed',
      active: true,
    })
    expect(decode(message('tns1:RuleEngine/LineDetector/Crossed', '<tt:SimpleItem Name="State" Value="false"/>'))).toMatchObject({
      type: 'state',
      active: false,
    })
  })

  it('says which event an Initialized value stands for, to compare with the last known state', () => {
    const init = decode(message('tns1:Device/Trigger/DigitalInput', '<tt:SimpleItem Name="LogicalState" Value="true"/>', 'Initialized'))
    expect(init).toMatchObject({ type: 'state', active: true, changeType: 'input' })
    const off = decode(message('tns1:RuleEngine/TamperDetector/Tamper', '<tt:SimpleItem Name="IsTamper" Value="false"/>', 'Initialized'))
    expect(off.changeType).toBe('video.tamper.restore')
    expect(decode(message('tns1:Device/Trigger/DigitalInput', '<tt:SimpleItem Name="LogicalState" Value="true"/>', 'Deleted')).changeType).toBeUndefined()
  })

  it('uses the rule or input token as the zone', () => {
    expect(decode(message('tns1:RuleEngine/LineDetector/Crossed', '')).zone).toBe('R1')
  })

  it('rejects a message without a topic with a CodecError', () => {
    const xml = `<wsnt:NotificationMessage ${WSNT}><wsnt:Message/></wsnt:NotificationMessage>`
    expect(() => parseNotification(parseXml(xml).documentElement!)).toThrow(CodecError)
  })

  it('turns malformed XML into a CodecError', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(CodecError)
    expect(() => parseXml('')).toThrow(CodecError)
  })
})
