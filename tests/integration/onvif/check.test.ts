import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { onvifConfigWarnings, OnvifDeviceSchema } from '../../../adapters/onvif/config.js'

const ROOT = resolve(import.meta.dirname, '../../..')

const camera = (over: Record<string, unknown>) =>
  OnvifDeviceSchema.parse({ id: 'cam-1', adapter: 'onvif', address: '10.0.0.7', username: 'admin', password: 'pw', ...over })

describe('pingan check on cameras', () => {
  it('warns about an address with no path, a path with no scheme, and a camera with no username', () => {
    expect(onvifConfigWarnings(camera({}), 'devices.0')).toEqual([])
    expect(onvifConfigWarnings(camera({ address: 'http://10.0.0.7:8080/onvif/device_service' }), 'devices.0')).toEqual([])
    expect(onvifConfigWarnings(camera({ address: 'http://10.0.0.7' }), 'devices.0')).toEqual([
      {
        path: 'devices.0.address',
        message: '"http://10.0.0.7" has no path: the camera will answer 404',
        fix: 'end it in /onvif/device_service, or give the host and port only',
      },
    ])
    expect(onvifConfigWarnings(camera({ address: '10.0.0.7/onvif/device_service' }), 'devices.2')[0]?.path).toBe('devices.2.address')
    expect(onvifConfigWarnings(camera({ username: undefined }), 'devices.1')).toEqual([
      expect.objectContaining({ path: 'devices.1.username', message: 'no username: cameras want credentials for events and snapshots' }),
    ])
  })

  it('prints the warnings with their paths and fixes, and still passes the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pingan-check-cam-'))
    try {
      const file = join(dir, 'site.yaml')
      writeFileSync(
        file,
        'version: 1\nsite: { id: ab, name: X }\njournal: { path: j.db }\ndevices:\n  - { id: cam-1, adapter: onvif, address: "http://10.0.0.7:8080" }\n',
      )
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
        execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'shell/cli.ts'), 'check', file], { cwd: ROOT }, (err, stdout, stderr) =>
          res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        )
      })
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('ok (site ab, 1 devices, 0 uplinks)')
      expect(r.stderr).toContain('devices.0.address: "http://10.0.0.7:8080" has no path: the camera will answer 404\n    fix: end it in /onvif/device_service')
      expect(r.stderr).toContain('devices.0.username: no username')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
