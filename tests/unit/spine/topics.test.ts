import { describe, expect, it } from 'vitest'
import { parseTopic, topics } from '../../../base/events/topics.js'

describe('topic grammar', () => {
  it.each([
    [topics.event('lotus', 'alarm', 'panel-1'), { site: 'lotus', type: 'event', kind: 'alarm', device: 'panel-1' }],
    [topics.state('lotus', 'lock_7'), { site: 'lotus', type: 'state', device: 'lock_7' }],
    [topics.cmd('lotus', 'gate-3'), { site: 'lotus', type: 'cmd', device: 'gate-3' }],
    [topics.cmdResult('lotus', 'gate-3'), { site: 'lotus', type: 'cmd-result', device: 'gate-3' }],
    [topics.ingest('lotus', 'intercom'), { site: 'lotus', type: 'ingest', device: 'intercom' }],
    [topics.gatewayStatus('lotus'), { site: 'lotus', type: 'gateway-status' }],
  ])('%s parses back', (topic, parsed) => {
    expect(parseTopic(topic)).toEqual(parsed)
  })
  it('builds the documented shapes', () => {
    expect(topics.event('s', 'camera', 'cam-1')).toBe('pingan/v1/s/event/camera/cam-1')
    expect(topics.cmdResult('s', 'd')).toBe('pingan/v1/s/cmd/d/result')
    expect(topics.allEvents()).toBe('pingan/v1/+/event/#')
  })
  it.each([
    'pingan/v2/s/state/d',
    'pingan/v1/s/event/weather/d',
    'pingan/v1/s/state/d.e',
    'pingan/v1/s/state/d/extra',
    'pingan/v1/s/cmd/d/other',
    'pingan/v1/s t/state/d',
    'pingan/v1/s/gateway/other',
    'other/v1/s/state/d',
    'pingan/v1/s/event/alarm',
  ])('refuses %s', (topic) => {
    expect(parseTopic(topic)).toBeUndefined()
  })
})
