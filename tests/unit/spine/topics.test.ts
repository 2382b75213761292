import { describe, expect, it } from 'vitest'
import { filterMatchesEvents, parseTopic, topics } from '../../../base/events/topics.js'

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

describe('filters that can read a site event', () => {
  it.each([
    ['#', true],
    ['pingan/#', true],
    ['pingan/v1/#', true],
    ['pingan/v1/+/event/#', true],
    ['pingan/v1/s/event/#', true],
    ['pingan/v1/s/event/+/+', true],
    ['pingan/v1/s/event/alarm/panel-1', true],
    ['pingan/v1/s/event/alarm/panel-1/#', true],
    ['+/+/+/+/+/+', true],
    ['+/v1/s/#', true],
    ['pingan/v1/other/event/#', false],
    ['pingan/v1/s/state/+', false],
    ['pingan/v1/s/cmd/+/result', false],
    ['pingan/v1/s/event/+', false],
    ['pingan/v1/s/event/alarm/panel-1/x', false],
    ['+/+/+/+/+', false],
    ['+/+/+/+/+/+/+', false],
    ['pingan/v2/#', false],
  ] as const)('%s: %s', (filter, can) => {
    expect(filterMatchesEvents(filter, 's')).toBe(can)
  })

  it('agrees with the topic an event is published on', () => {
    const topic = topics.event('s', 'alarm', 'panel-1')
    expect(filterMatchesEvents(topic, 's')).toBe(true)
    expect(filterMatchesEvents(topics.allEvents('s'), 's')).toBe(true)
    expect(filterMatchesEvents(topics.allEvents(), 's')).toBe(true)
  })
})
