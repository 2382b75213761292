import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

function pingan(args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'shell/cli.ts'), ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
    if (input !== undefined) child.stdin!.end(input)
  })
}

/** `pingan check` on a file holding `yaml`. */
function checkYaml(yaml: string): ReturnType<typeof pingan> {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'site.yaml')
  writeFileSync(file, yaml)
  return pingan(['check', file])
}

describe('pingan CLI', () => {
  it('check prints every problem with its path and a fix, and exits non-zero', async () => {
    const r = await checkYaml(
      'version: 1\nsite: { id: "a b", name: X }\njournal: { path: j.db, maxRowz: 1 }\ndevices:\n  - { id: d, adapter: mqtt-ingest, kind: weather }\n',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('site.id:')
    expect(r.stderr).toContain('journal: Unrecognized key: "maxRowz"')
    expect(r.stderr).toMatch(/devices\.0\.kind: .*\n\s+fix: use one of: "alarm"/)
    const ok = await checkYaml('version: 1\nsite: { id: ab, name: X }\njournal: { path: j.db }\n')
    expect(ok).toMatchObject({ code: 0 })
    expect(ok.stdout).toContain('ok (site ab, 0 devices, 0 uplinks)')
  })

  it('check lists an unknown adapter and a duplicate device id together', async () => {
    const r = await checkYaml(
      'version: 1\nsite: { id: ab, name: X }\njournal: { path: j.db }\ndevices:\n  - { id: d, adapter: modbu, kind: parking }\n  - { id: d, adapter: mqtt-ingest, kind: access }\n',
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the configuration has 2 problem(s)')
    expect(r.stderr).toContain('devices.0.adapter: unknown adapter "modbu"')
    expect(r.stderr).toContain('devices.1.id: device id "d" is already used by devices.0')
  })

  it('check still reads the old backoff spellings and says which key to write instead', async () => {
    const r = await checkYaml(
      'version: 1\nsite: { id: ab, name: X }\njournal: { path: j.db }\ndevices:\n' +
        '  - { id: rx, adapter: contact-id, transport: { url: "tcp://10.0.0.7:4001", reconnectMinMs: 100, reconnectMaxMs: 900 } }\n' +
        '  - { id: cam, adapter: onvif, address: 10.0.0.8, username: u, password: p, backoffMaxMs: 9000 }\n' +
        '  - { id: lock, adapter: modbus, kind: parking, unit: 1, profile: parking-lock, transport: { path: /dev/ttyUSB0, backoff: { initialMs: 100 } } }\n',
    )
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/devices\.0\.transport\.reconnectMinMs: reconnectMinMs is an old spelling, still read\n\s+fix: write backoff\.initialMs instead/)
    expect(r.stderr).toContain('devices.0.transport.reconnectMaxMs: reconnectMaxMs is an old spelling')
    expect(r.stderr).toMatch(/devices\.1\.backoffMaxMs: backoffMaxMs is an old spelling, still read\n\s+fix: write backoff\.maxMs instead/)
    expect(r.stderr).not.toContain('devices.2')
  })

  it('check says when /metrics is open, and warns when it is open on an address other hosts reach', async () => {
    const base = 'version: 1\nsite: { id: ab, name: X }\njournal: { path: j.db }\nmetrics: { open: true }\n'
    const local = await checkYaml(`${base}api: { host: 127.0.0.1, port: 9100 }\n`)
    expect(local).toMatchObject({ code: 0, stderr: '' })
    expect(local.stdout).toContain('GET /metrics is open (no credentials) on 127.0.0.1:9100')
    const lan = await checkYaml(`${base}api: { host: 0.0.0.0 }\n`)
    expect(lan.code).toBe(0)
    expect(lan.stderr).toMatch(
      /metrics\.open: GET \/metrics is served without credentials on api\.host 0\.0\.0\.0, which is not a loopback address.*\n\s+fix: metrics\.open is meant for a local interface/,
    )
    const closed = await checkYaml(
      'version: 1\nsite: { id: ab, name: X }\njournal: { path: j.db }\napi: { host: 0.0.0.0, tokens: [prometheus-token-0123456789] }\n',
    )
    expect(closed).toMatchObject({ code: 0, stderr: '' })
    expect(closed.stdout).not.toContain('metrics')
  })

  it('run --help and check --help print their usage; run FILE points to --config', async () => {
    const run = await pingan(['run', '--help'])
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toContain('usage: pingan run [--config FILE]')
    const check = await pingan(['check', '--help'])
    expect(check).toMatchObject({ code: 0, stderr: '' })
    expect(check.stdout).toContain('usage: pingan check FILE')
    const positional = await pingan(['run', 'site.yaml'])
    expect(positional.code).toBe(2)
    expect(positional.stderr).toContain('pingan run: the config file is given with --config: pingan run --config site.yaml')
  })

  it('hash-password prints an scrypt hash the broker accepts', async () => {
    const r = await pingan(['hash-password'], 'a long password\n')
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
  })

  it('an unknown verb prints the usage and exits 2', async () => {
    const r = await pingan(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('pingan check FILE')
  })
})

/** What the examples take from the environment: values of the right shape, as an installer would export them. */
const EXAMPLE_ENV = {
  PINGAN_UPLINK_PASSWORD: 'uplink-password',
  PINGAN_API_TOKEN: 'api-token-0123456789abcdef',
  PINGAN_GUARDROOM_PASSWORD: 'guardroom-password',
  PINGAN_INTERCOM_HASH: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
  PINGAN_INSTALLER_HASH: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
  PINGAN_OSDP_INSTALL_KEY: '00112233445566778899aabbccddeeff',
  PINGAN_CAMERA_PASSWORD: 'camera-password',
  PINGAN_ARC_KEY: '000102030405060708090a0b0c0d0e0f',
}

describe('config/examples', () => {
  const files = readdirSync(join(ROOT, 'config/examples')).filter((f) => f.endsWith('.yaml'))

  it('has one example per device family', () => {
    expect(files.sort()).toEqual([
      'access-osdp.example.yaml',
      'alarm-centre-dc09.example.yaml',
      'alarm-receiver.example.yaml',
      'camera-onvif.example.yaml',
      'parking-modbus.example.yaml',
      'site.example.yaml',
    ])
  })

  it.each(files)('pingan check %s passes', async (file) => {
    // Only PATH and the example's secrets: an example must not lean on anything else in the environment.
    const r = await pingan(['check', join('config/examples', file)], undefined, { PATH: process.env['PATH'], ...EXAMPLE_ENV })
    expect(r.stderr).toBe('')
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining(': ok (site lotus-garden') })
  })
})
