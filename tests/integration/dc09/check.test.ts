import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../../..')

const YAML = `version: 1
site: { id: ab, name: X, coordinates: { lat: 31.23, lon: 121.47 } }
journal: { path: j.db }
uplinks:
  - id: arc
    type: dc09
    account: "1234"
    category: DP3
    route: { kinds: [alarm, access], maxPriority: 2 }
    paths:
      - { name: wired, receivers: [{ host: 10.0.0.5, port: 12000, keyHex: "000102030405060708090A0B0C0D0E0F" }] }
      - { name: cellular, localAddress: 10.64.0.2, receivers: [{ host: 10.0.0.6, port: 12000, transport: udp, token: SIA-DCS }] }
    devices: { panel-1: { account: "123456789" } }
devices:
  - { id: panel-1, adapter: mqtt-ingest, kind: alarm }
  - { id: lock-1, adapter: mqtt-ingest, kind: parking }
`

describe('pingan check with a dc09 uplink', () => {
  it('states the link-test interval per path with its EN 50136-1 category and names devices that would send nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'site.yaml')
    writeFileSync(file, YAML)
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'shell/cli.ts'), 'check', file], { cwd: ROOT }, (err, stdout, stderr) =>
        res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      )
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('uplink arc path wired: link test every 180 s (DP3 primary)')
    expect(r.stdout).toContain('uplink arc path cellular: link test every 1800 s (DP3 backup)')
    // Parking is not in this centre's call direction.
    expect(r.stderr).toMatch(/uplinks\.0: device lock-1 \(parking\) would send nothing to arc/)
    expect(r.stderr).not.toContain('device panel-1')
    expect(r.stderr).toContain('uplinks.0.devices.panel-1.account: account "123456789" has 9 digits: most receivers expect 4 to 8')
  })
})
