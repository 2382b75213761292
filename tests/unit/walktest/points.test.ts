import { describe, expect, it } from 'vitest'
import { expectedPoints } from '../../../gateway/walktest/points.js'
import { selectPoints, WalkTestError } from '../../../gateway/walktest/scope.js'
import { siteDevices } from './fixtures.js'

describe('walk test points from config', () => {
  const all = expectedPoints(siteDevices())

  it('has every zone, reader, door contact, lock, camera and producer, and no space sensor', () => {
    expect(all.map((p) => [p.key, p.kind, p.expected.join('+')])).toEqual([
      ['alarm-rx/002', 'zone', 'alarm+restore'],
      ['alarm-rx/009', 'zone', 'alarm+restore'],
      ['alarm-rx/015', 'zone', 'alarm+restore'],
      ['alarm-rx/5678-015', 'zone', 'alarm+restore'],
      ['doors/main-gate/reader', 'reader', 'read'],
      ['doors/main-gate/door', 'door', 'open+closed'],
      ['doors/block-a/reader', 'reader', 'read'],
      ['lock-1', 'lock', 'raised+lowered'],
      ['cam-1', 'camera', 'seen'],
      ['intercom', 'producer', 'event'],
    ])
  })

  it('a zone configured as fire is life safety; an intrusion zone is not', () => {
    expect(all.filter((p) => p.lifeSafety).map((p) => p.key)).toEqual(['alarm-rx/009'])
  })

  it('names points as people read them', () => {
    expect(all.find((p) => p.key === 'alarm-rx/5678-015')?.label).toBe('Building 5: zone 015 east wall beam (account 5678)')
    expect(all.find((p) => p.key === 'doors/main-gate/door')?.label).toBe('Main gate: door contact')
  })
})

describe('what a walk test request puts on test', () => {
  const all = expectedPoints(siteDevices())

  it('the whole site without life-safety zones by default, which are listed as excluded', () => {
    const { points, excluded } = selectPoints(all, {})
    expect(points).toHaveLength(all.length - 1)
    expect(excluded.map((p) => p.key)).toEqual(['alarm-rx/009'])
  })

  it('life-safety zones when included', () => {
    expect(selectPoints(all, { includeLifeSafety: true }).points).toHaveLength(all.length)
  })

  it('devices and zones as a union; zone numbers as installers write them', () => {
    const { points } = selectPoints(all, {
      devices: ['lock-1'],
      zones: [
        { device: 'alarm-rx', zone: '2' },
        { device: 'doors', zone: 'main-gate' },
      ],
    })
    expect(points.map((p) => p.key)).toEqual(['alarm-rx/002', 'doors/main-gate/reader', 'doors/main-gate/door', 'lock-1'])
  })

  it.each([
    [{ devices: ['nope'] }, /device "nope" has no walk test points/],
    [{ devices: ['space-3'] }, /device "space-3" has no walk test points/],
    [{ zones: [{ device: 'alarm-rx', zone: '077' }] }, /no zone or door "077"/],
    [{ zones: [{ device: 'alarm-rx', zone: '9' }] }, /set includeLifeSafety/],
  ])('refuses %j, saying what to fix', (req, message) => {
    expect(() => selectPoints(all, req)).toThrow(WalkTestError)
    expect(() => selectPoints(all, req)).toThrow(message)
  })
})
