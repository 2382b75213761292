import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { discover } from '../../../adapters/onvif/discover.js'
import { runDiscover } from '../../../shell/discover.js'
import { startDiscoveryResponder, type DiscoveryResponder } from '../../../simulators/camera/discovery.js'
import { startCameras, type CameraSim } from '../../../simulators/camera/wire.js'

let cams: CameraSim[] = []
let responder: DiscoveryResponder | undefined
afterEach(async () => {
  await responder?.close()
  for (const c of cams) await c.stop()
  cams = []
})

/** WS-Discovery collects answers for a window; on a loaded machine a loopback answer may take longer than 300 ms. */
const WINDOW_MS = 1500

describe('pingan discover against simulated cameras (unicast probe on loopback)', () => {
  it('finds every camera with its address, model, and whether the credentials work', async () => {
    cams = await startCameras(3, { username: 'admin', password: 'pw-3', prefix: 'gate', skewMs: 3600_000 })
    responder = await startDiscoveryResponder(cams)
    const reports = await discover({
      target: { host: '127.0.0.1', port: responder.port },
      timeoutMs: WINDOW_MS,
      creds: { username: 'admin', password: 'pw-3' },
    })
    expect(reports.map((r) => r.name).sort()).toEqual(['gate-001', 'gate-002', 'gate-003'])
    for (const r of reports) {
      expect(r.credentials).toBe('ok')
      expect(r.model).toBe('SIM-IPC-2000')
      expect(r.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/onvif\/device_service$/)
      expect(Math.abs(r.clockOffsetMs! - 3600_000)).toBeLessThan(1500)
    }
    expect(responder.probes).toBe(2)
  })

  it('says so when the credentials are refused, and prints a table', async () => {
    cams = await startCameras(1, { username: 'admin', password: 'pw-3', prefix: 'door' })
    responder = await startDiscoveryResponder(cams)
    const lines: string[] = []
    await runDiscover(['--target', `127.0.0.1:${responder.port}`, '--timeout', String(WINDOW_MS), '--user', 'admin', '--password', 'nope'], (l) =>
      lines.push(l),
    )
    expect(lines[0]).toBe('ADDRESS\tNAME\tMODEL\tCLOCK\tCREDENTIALS\tDEVICE')
    expect(lines[1]).toMatch(/\tdoor-001\tSIM-IPC-2000\t0s\trefused\t-$/)
  })

  it("checks each configured camera with the credentials in the site's config file", async () => {
    cams = await startCameras(3, { username: 'admin', password: 'right-pw', prefix: 'yard' })
    responder = await startDiscoveryResponder(cams)
    const dir = await mkdtemp(join(tmpdir(), 'pingan-discover-'))
    const file = join(dir, 'site.yaml')
    await writeFile(
      file,
      [
        'version: 1',
        'site: { id: yard, name: Yard }',
        `journal: { path: ${join(dir, 'j.db')} }`,
        'devices:',
        `  - { id: cam-yard-a, adapter: onvif, address: "127.0.0.1:${cams[0]!.port}", username: admin, password: right-pw }`,
        `  - { id: cam-yard-b, adapter: onvif, address: "127.0.0.1:${cams[1]!.port}", username: admin, password: old-pw }`,
      ].join('\n'),
    )
    const lines: string[] = []
    try {
      await runDiscover(['--target', `127.0.0.1:${responder.port}`, '--timeout', String(WINDOW_MS), '--config', file], (l) => lines.push(l))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const byName = new Map(lines.slice(1).map((l) => [l.split('\t')[1], l.split('\t')]))
    expect(byName.get('yard-001')?.slice(4)).toEqual(['ok', 'cam-yard-a'])
    expect(byName.get('yard-002')?.slice(4)).toEqual(['refused', 'cam-yard-b'])
    expect(byName.get('yard-003')?.slice(4)).toEqual(['not checked', '-'])
  })
})
