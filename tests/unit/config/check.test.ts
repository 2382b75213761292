import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../config/load.js'
import { ConfigError, type ConfigProblem } from '../../../gateway/errors.js'

const BASE = `version: 1
site: { id: lotus, name: Lotus }
journal: { path: ./j.db }
`

function problems(yaml: string): ConfigProblem[] {
  try {
    parseConfig(yaml, 'test.yaml', '/etc/pingan', {})
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected problems')
}

function byPath(p: ConfigProblem[]): Record<string, ConfigProblem> {
  return Object.fromEntries(p.map((x) => [x.path, x]))
}

describe('pingan check reports every problem at once', () => {
  it('an unknown adapter, a duplicate id, a bad uplink and a producer for a ghost device, together', () => {
    const p = byPath(problems(`${BASE}broker:
  users:
    - { username: cam-vendor, password: longenough, role: producer, devices: [ghost] }
    - { username: cam-vendor, password: longenough, role: observer }
uplinks:
  - { id: up, type: amqp }
  - { id: up, type: mqtt, url: "mqtts://p:8883" }
devices:
  - { id: gate-1, adapter: modbu, kind: parking }
  - { id: gate-1, adapter: mqtt-ingest, kind: access }
  - { id: gate-2, kind: access }
`))
    expect(p['devices.0.adapter']).toEqual({ path: 'devices.0.adapter', message: 'unknown adapter "modbu"', fix: 'use one of: "mqtt-ingest", "onvif", "modbus", "osdp", "contact-id"' })
    expect(p['devices.2.adapter']?.message).toBe('adapter is missing')
    expect(p['devices.1.id']?.message).toBe('device id "gate-1" is already used by devices.0: device ids must be unique')
    expect(p['uplinks.0.type']?.message).toBe('unknown type "amqp"')
    expect(p['uplinks.1.id']?.message).toMatch(/uplink id "up" is already used by uplinks.0/)
    expect(p['broker.users.1.username']?.message).toMatch(/username "cam-vendor" is already used by broker.users.0/)
    expect(p['broker.users.0.devices.0']?.message).toMatch(/"ghost" is not an mqtt-ingest device/)
  })

  it('a wrong type is named as wrong, not as missing', () => {
    const p = byPath(problems(`version: 1\nsite: { id: lotus, name: Lotus }\njournal: { path: ./j.db, maxRows: lots }\n`))
    expect(p['journal.maxRows']?.fix).toBe('make it a number')
  })
})

describe('YAML syntax errors point at the line to fix', () => {
  it('a key indented deeper than its siblings is reported on its own line', () => {
    const p = problems('version: 1\nsite:\n  id: lotus\n   name: Lotus\njournal: { path: ./j.db }\n')
    expect(p).toHaveLength(1)
    expect(p[0]).toMatchObject({ path: 'line 4, column 4', message: expect.stringMatching(/indented deeper than the line above it \(line 3\)/) })
  })

  it('the same inside a device list', () => {
    const p = problems(`${BASE}devices:\n  - id: a\n    adapter: mqtt-ingest\n     kind: alarm\n`)
    expect(p.map((x) => x.path)).toEqual(['line 7, column 6'])
  })

  it('the parser\'s message is not followed by its position twice', () => {
    const p = problems('version: 1\nsite: { id: x\n')
    expect(p[0]?.message).not.toMatch(/at line \d+/)
  })
})
