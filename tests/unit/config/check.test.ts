import { describe, expect, it } from 'vitest'
import { apiWarnings } from '../../../config/api.js'
import { parseConfig } from '../../../config/load.js'
import { ConfigError, type ConfigProblem } from '../../../base/errors.js'

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
    const p = byPath(
      problems(`${BASE}broker:
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
`),
    )
    expect(p['devices.0.adapter']).toEqual({
      path: 'devices.0.adapter',
      message: 'unknown adapter "modbu"',
      fix: 'use one of: "mqtt-ingest", "onvif", "modbus", "osdp", "contact-id"',
    })
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

  it("the parser's message is not followed by its position twice", () => {
    const p = problems('version: 1\nsite: { id: x\n')
    expect(p[0]?.message).not.toMatch(/at line \d+/)
  })
})

describe('api section of the config', () => {
  it('users, tokens and session lifetimes get defaults; a token may carry a role', () => {
    const c = parseConfig(
      `${BASE}api:\n  tokens: [machine-token-0123456789, { token: viewer-token-0123456789, role: viewer }]\n  users: [{ name: anna, role: installer, password: long-enough }]\n`,
      't.yaml',
      '/etc',
      {},
    )
    expect(c.api).toMatchObject({ sessionTtlMinutes: 480, installerSessionTtlMinutes: 480, open: false })
    expect(c.api.tokens[1]).toEqual({ token: 'viewer-token-0123456789', role: 'viewer' })
    expect(parseConfig(BASE, 't.yaml', '/etc', {}).api).toMatchObject({ users: [], tokens: [], sessionTtlMinutes: 480 })
  })

  it('reports a user with both or neither password, a duplicate name, a bad role and a short token, with paths', () => {
    const p = problems(`${BASE}api:
  tokens: [short]
  users:
    - { name: anna, role: installer, password: long-enough, passwordHash: "scrypt$x" }
    - { name: anna, role: boss, password: long-enough }
    - { name: bo, role: viewer }
`)
    const at = Object.fromEntries(p.map((x) => [x.path, x.message]))
    expect(at['api.tokens.0']).toMatch(/16 characters/)
    expect(at['api.users.0.passwordHash']).toBe('give exactly one of password or passwordHash')
    expect(at['api.users.2.passwordHash']).toBe('give exactly one of password or passwordHash')
    expect(at['api.users.1.role']).toBeDefined()
    expect(at['api.users.1.name']).toBe('user name "anna" is already used by api.users.0: user names must be unique')
  })

  it('pingan check warns of an API nobody can use and of one open to the network', () => {
    expect(apiWarnings(parseConfig(BASE, 't.yaml', '/etc', {}).api)).toEqual([])
    const none = parseConfig(`${BASE}api: { host: 0.0.0.0 }\n`, 't.yaml', '/etc', {})
    expect(apiWarnings(none.api)).toEqual([expect.objectContaining({ path: 'api', message: expect.stringMatching(/nobody can log in/) })])
    const open = parseConfig(`${BASE}api: { host: 0.0.0.0, open: true }\n`, 't.yaml', '/etc', {})
    expect(apiWarnings(open.api)).toEqual([expect.objectContaining({ path: 'api.open', fix: expect.stringMatching(/api.users/) })])
  })
})
