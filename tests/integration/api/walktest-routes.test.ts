import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiSchema } from '../../../config/api.js'
import { buildApi, type ApiApp } from '../../../gateway/api/server.js'
import { ReportStore } from '../../../gateway/walktest/store.js'
import { WalkTests } from '../../../gateway/walktest/walk-tests.js'
import type { WalkTestView } from '../../../gateway/walktest/schema.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { captureLog } from '../../helpers/logs.js'
import { siteDevices } from '../../unit/walktest/fixtures.js'

const INSTALLER = 'installer-token-0123456789'
const VIEWER = 'viewer-token-0123456789'
let dir: string | undefined
let app: ApiApp | undefined
afterEach(async () => {
  await app?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** The API with real walk tests (a store in a temp dir, fake timers), through fastify's inject. */
async function start() {
  dir = mkdtempSync(join(tmpdir(), 'pingan-walktest-api-'))
  const log = captureLog().log
  const timers = new ManualTimers(Date.parse('2026-12-01T10:00:00Z'))
  let n = 0
  const walktests = new WalkTests({
    site: { id: 'lotus' },
    devices: siteDevices(),
    uplinks: [{ id: 'platform', type: 'mqtt' }],
    timers,
    newId: () => `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    gatewayEvent: async () => {},
    deviceInfo: () => undefined,
    uplinkHealth: () => undefined,
    store: new ReportStore(join(dir, 'walktests'), log),
    log,
  })
  const api = ApiSchema.parse({
    host: '127.0.0.1',
    port: 0,
    tokens: [
      { token: INSTALLER, role: 'installer' },
      { token: VIEWER, role: 'viewer' },
    ],
  })
  app = await buildApi({ api, log, ready: () => ({ ready: true, reasons: [] }), status: async () => ({}), snapshot: async () => undefined, walktests })
  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) =>
    app!.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    })
  return { walktests, timers, call }
}

describe('walk test routes', () => {
  it('viewers read, installers start and end; conflicts and bad scopes say what to do', async () => {
    const { call } = await start()
    expect((await call('GET', '/walktests/current', VIEWER)).json()).toMatchObject({
      error: 'not found',
      message: expect.stringContaining('POST /api/v1/walktests'),
    })
    expect((await call('GET', '/walktests', VIEWER)).json()).toEqual({ reports: [] })
    expect((await call('GET', '/walktests/points', VIEWER)).json().points).toHaveLength(10)
    expect((await call('POST', '/walktests', VIEWER, {})).statusCode).toBe(403)
    const bad = await call('POST', '/walktests', INSTALLER, { devices: ['nope'] })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toContain('device "nope"')
    expect((await call('POST', '/walktests', INSTALLER, { timeLimitMinutes: 0 })).statusCode).toBe(400)
    const started = await call('POST', '/walktests', INSTALLER, { devices: ['lock-1'] })
    expect(started.json()).toMatchObject({ state: 'running', installer: 'token#0', untested: 1 })
    expect((await call('POST', '/walktests', INSTALLER, {})).json()).toMatchObject({ error: 'walktest running' })
    expect((await call('POST', '/walktests/current/end', VIEWER)).statusCode).toBe(403)
    expect((await call('POST', '/walktests/current/end', INSTALLER)).json()).toMatchObject({ state: 'ended', endedBy: 'installer' })
    const again = await call('POST', '/walktests/current/end', INSTALLER)
    expect([again.statusCode, again.json().error]).toEqual([409, 'no walktest running'])
  })

  it('serves the stored report as JSON, CSV and an inline HTML page that may run nothing, and verifies it', async () => {
    const { walktests, timers, call } = await start()
    const stored = new Promise<WalkTestView>((resolve) => walktests.on('update', (v) => v.report && resolve(v)))
    const view = (await call('POST', '/walktests', INSTALLER, { devices: ['cam-1'] })).json() as WalkTestView
    await call('POST', '/walktests/current/end', INSTALLER)
    await timers.fireNext() // no uplink acknowledges: the path-check wait runs out
    const { report } = await stored
    const json = await call('GET', `/walktests/${view.id}/report.json`, VIEWER)
    const body = json.json() as Record<string, unknown>
    expect(json.headers['content-disposition']).toBe(`attachment; filename="walktest-${view.id}.json"`)
    expect(body['sha256']).toBe(report!.sha256)
    const html = await call('GET', `/walktests/${view.id}/report.html`, VIEWER)
    expect(html.headers['content-disposition']).toMatch(/^inline;/)
    expect(html.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'")
    expect((await call('GET', `/walktests/${view.id}/report.csv`, VIEWER)).headers['content-type']).toMatch(/^text\/csv/)
    expect((await call('GET', '/walktests/0190a000-0000-7000-8000-999999999999/report.json', VIEWER)).statusCode).toBe(404)
    expect((await call('GET', `/walktests/${view.id}/report.pdf`, VIEWER)).statusCode).toBe(400)
    expect((await call('POST', '/walktests/verify', VIEWER, body)).json()).toEqual({ ok: true, sha256: report!.sha256 })
    expect((await call('POST', '/walktests/verify', VIEWER, { ...body, result: 'complete' })).json()).toMatchObject({ ok: false })
    expect((await call('GET', '/walktests', VIEWER)).json().reports).toEqual([expect.objectContaining({ id: view.id, sha256: report!.sha256 })])
    expect(Object.keys((await call('GET', '/openapi.json', VIEWER)).json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/walktests', '/api/v1/walktests/{id}/report.{format}']),
    )
  })
})
