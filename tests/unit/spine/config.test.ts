import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfigFile, loadDemoConfig, parseConfig } from '../../../config/load.js'
import { ConfigError, type ConfigProblem } from '../../../base/errors.js'

const BASE = `
version: 1
site: { id: lotus, name: Lotus }
journal: { path: ./j.db }
`

function problems(yaml: string, env: NodeJS.ProcessEnv = {}): ConfigProblem[] {
  try {
    parseConfig(yaml, 'test.yaml', '/etc/pingan', env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected problems')
}

describe('config', () => {
  it('the embedded demo config is valid', () => {
    const c = loadDemoConfig({}, '/tmp')
    expect(c.site.id).toBe('lotus-garden')
    expect(c.journal.path).toBe('/tmp/.pingan-demo/journal.db')
    expect(c.devices.length).toBeGreaterThan(0)
  })

  it('fills defaults and resolves relative paths from the file', () => {
    const c = parseConfig(BASE, 'x', '/etc/pingan', {})
    expect(c.journal.path).toBe('/etc/pingan/j.db')
    expect(c.broker).toMatchObject({ host: '127.0.0.1', port: 1883, allowAnonymous: false })
    expect(c.api.open).toBe(false)
  })

  it('takes secrets from the environment', () => {
    const yaml = `${BASE}uplinks:\n  - { id: p, type: mqtt, url: "mqtts://platform:8883", username: site, password: "\${UPLINK_PW}" }\n`
    const u = parseConfig(yaml, 'x', '/', { UPLINK_PW: 's3cret' }).uplinks[0]
    expect(u?.type === 'mqtt' && u.password).toBe('s3cret')
    expect(problems(yaml)).toEqual([
      {
        path: 'uplinks.0.password',
        message: 'environment variable UPLINK_PW is not set',
        fix: 'export UPLINK_PW=... before starting, or write the value in the file',
      },
    ])
  })

  it('reports every problem with its path and a fix', () => {
    const p = problems(`
version: 1
site: { id: "lotus garden", name: Lotus }
journal: { path: ./j.db, maxRowz: 5 }
broker: { port: 99999 }
uplinks:
  - { id: p, type: mqtt, url: "mqtt://platform:1883" }
devices:
  - { id: a, adapter: mqtt-ingest, kind: alarm }
  - { id: a, adapter: mqtt-ingest, kind: weather }
`)
    const byPath = Object.fromEntries(p.map((x) => [x.path, x]))
    expect(byPath['site.id']?.message).toMatch(/no dots or spaces/)
    expect(byPath['journal']?.fix).toMatch(/remove maxRowz/)
    expect(byPath['broker.port']?.fix).toBe('use at most 65535')
    expect(byPath['uplinks.0.url']?.message).toMatch(/use mqtts:\/\//)
    expect(byPath['devices.1.kind']?.fix).toMatch(/use one of: "alarm"/)
    expect(p.length).toBeGreaterThanOrEqual(5)
  })

  it('catches duplicate device ids and producers speaking for unknown devices', () => {
    const p = problems(`${BASE}broker:
  users: [{ username: p, password: longenough, role: producer, devices: [ghost] }]
devices:
  - { id: a, adapter: mqtt-ingest, kind: alarm }
  - { id: a, adapter: mqtt-ingest, kind: access }
`)
    expect(p.map((x) => x.path)).toEqual(expect.arrayContaining(['devices.1.id', 'broker.users.0.devices.0']))
  })

  it('names the line of a YAML syntax error', () => {
    const p = problems('version: 1\nsite: { id: x\n')
    expect(p[0]?.path).toMatch(/^line \d+, column \d+$/)
  })

  it('says when the file cannot be read', () => {
    expect(() => loadConfigFile('/nonexistent/pingan.yaml')).toThrow(ConfigError)
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
    writeFileSync(join(dir, 'ok.yaml'), BASE)
    expect(loadConfigFile(join(dir, 'ok.yaml')).journal.path).toBe(join(dir, 'j.db'))
  })
})
