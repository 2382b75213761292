import { afterEach, describe, expect, it } from 'vitest'
import { ApiSchema } from '../../../config/api.js'
import { buildApi, requireRole, type ApiApp } from '../../../gateway/api/server.js'
import { hashPassword } from '../../../gateway/broker/passwords.js'
import { captureLog, type CapturedLog } from '../../helpers/logs.js'

const TOKEN = 'machine-token-0123456789'
const VIEWER_TOKEN = 'viewer-token-0123456789'
const PASSWORDS = { vera: 'viewer-secret-1', otto: 'operator-secret-1', ines: 'installer-secret-1' }

interface Api {
  app: ApiApp
  base: string
  logs: CapturedLog
  clock: { t: number }
}

/** The API alone on a real port, with an injected clock for session expiry. */
async function start(api: Record<string, unknown> = {}): Promise<Api> {
  const logs = captureLog()
  const clock = { t: Date.parse('2026-03-01T08:00:00Z') }
  const config = ApiSchema.parse({
    host: '127.0.0.1',
    port: 0,
    tokens: [TOKEN, { token: VIEWER_TOKEN, role: 'viewer' }],
    users: [
      { name: 'vera', role: 'viewer', password: PASSWORDS.vera },
      { name: 'otto', role: 'operator', passwordHash: await hashPassword(PASSWORDS.otto) },
      { name: 'ines', role: 'installer', password: PASSWORDS.ines },
    ],
    sessionTtlMinutes: 60,
    installerSessionTtlMinutes: 30,
    ...api,
  })
  const app = await buildApi({
    api: config,
    log: logs.log,
    now: () => clock.t,
    ready: () => ({ ready: true, reasons: [] }),
    status: async () => ({ site: 's' }),
    snapshot: async () => undefined,
  })
  // Routes that need more than reading, as other route files declare them.
  app.post('/api/v1/test/operate', { preHandler: requireRole('operator') }, async (req) => ({ by: req.principal?.name }))
  app.get('/api/v1/test/install', { preHandler: requireRole('installer') }, async (req) => ({ by: req.principal?.name }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address()
  return { app, logs, clock, base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` }
}

async function login(a: Api, name: keyof typeof PASSWORDS, password: string = PASSWORDS[name]): Promise<Response> {
  return fetch(`${a.base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) })
}

function cookieOf(res: Response): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!
}

describe('API auth', () => {
  let a: Api | undefined
  afterEach(async () => {
    await a?.app.close()
    a = undefined
  })

  it('a user logs in with a session cookie (HttpOnly, SameSite=Strict, with expiry), reads who they are and logs out', async () => {
    a = await start()
    expect((await login(a, 'otto', 'wrong-password')).status).toBe(401)
    expect((await fetch(`${a.base}/api/v1/session`)).status).toBe(401)
    const res = await login(a, 'otto')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ user: 'otto', role: 'operator', expiresAt: '2026-03-01T09:00:00.000Z' })
    const setCookie = res.headers.get('set-cookie') ?? ''
    expect(setCookie).toMatch(/^pingan_session=[\w-]{43};/)
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')
    expect(setCookie).toContain('Path=/')
    expect(setCookie).toContain('Expires=Sun, 01 Mar 2026 09:00:00 GMT')
    const cookie = cookieOf(res)
    const me = await fetch(`${a.base}/api/v1/session`, { headers: { cookie } })
    expect(await me.json()).toEqual({ user: 'otto', role: 'operator', expiresAt: '2026-03-01T09:00:00.000Z' })
    expect((await fetch(`${a.base}/api/v1/status`, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${a.base}/api/v1/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(204)
    expect((await fetch(`${a.base}/api/v1/status`, { headers: { cookie } })).status).toBe(401)
    const logText = a.logs.text()
    for (const pw of Object.values(PASSWORDS)) expect(logText).not.toContain(pw)
    expect(a.logs.find('console login refused', { user: 'otto' })).toHaveLength(1)
  })

  it('an installer session ends after installerSessionTtlMinutes, an operator one after sessionTtlMinutes', async () => {
    a = await start()
    const installer = cookieOf(await login(a, 'ines'))
    const operator = cookieOf(await login(a, 'otto'))
    a.clock.t += 30 * 60_000 - 1
    expect((await fetch(`${a.base}/api/v1/status`, { headers: { cookie: installer } })).status).toBe(200)
    a.clock.t += 1
    expect((await fetch(`${a.base}/api/v1/status`, { headers: { cookie: installer } })).status).toBe(401)
    expect((await fetch(`${a.base}/api/v1/status`, { headers: { cookie: operator } })).status).toBe(200)
    a.clock.t += 30 * 60_000
    expect((await fetch(`${a.base}/api/v1/status`, { headers: { cookie: operator } })).status).toBe(401)
  })

  it('roles: 401 without credentials, 403 below the role a route needs; a bare token is an operator', async () => {
    a = await start()
    const viewer = cookieOf(await login(a, 'vera'))
    const installer = cookieOf(await login(a, 'ines'))
    const call = (path: string, method: string, headers: Record<string, string>) => fetch(`${a!.base}${path}`, { method, headers })
    expect((await call('/api/v1/test/operate', 'POST', {})).status).toBe(401)
    expect((await call('/api/v1/test/operate', 'POST', { cookie: viewer })).status).toBe(403)
    expect((await call('/api/v1/test/operate', 'POST', { authorization: `Bearer ${VIEWER_TOKEN}` })).status).toBe(403)
    const op = await call('/api/v1/test/operate', 'POST', { authorization: `Bearer ${TOKEN}` })
    expect(await op.json()).toEqual({ by: 'token#0' })
    const refused = await call('/api/v1/test/install', 'GET', { authorization: `Bearer ${TOKEN}` })
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual({
      error: 'forbidden',
      message: 'this needs the installer role; token#0 is operator (api.users or api.tokens in the config)',
    })
    expect(await (await call('/api/v1/test/install', 'GET', { cookie: installer })).json()).toEqual({ by: 'ines' })
    expect((await call('/api/v1/status', 'GET', { authorization: 'Bearer not-a-token-0123456789' })).status).toBe(401)
    // The route matched decides, not the URL's spelling.
    for (const path of ['/%61pi/v1/test/install', '/api/v1/test/install/', '//api/v1/test/install'])
      expect((await call(path, 'GET', {})).status, path).not.toBe(200)
    expect(a.logs.text()).not.toContain(TOKEN)
    expect(a.logs.text()).not.toContain(VIEWER_TOKEN)
  })

  it('api.open answers everyone as an installer; probes and the OpenAPI document need no credentials', async () => {
    a = await start()
    expect((await fetch(`${a.base}/healthz`)).status).toBe(200)
    expect((await fetch(`${a.base}/readyz`)).status).toBe(200)
    const doc = (await (await fetch(`${a.base}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/session', '/api/v1/status', '/healthz']))
    await a.app.close()
    a = await start({ open: true })
    expect(await (await fetch(`${a.base}/api/v1/test/install`)).json()).toEqual({ by: 'anonymous' })
  })

  it('a bad login body is a 400 naming the field; an unknown route is a JSON 404', async () => {
    a = await start()
    const bad = await fetch(`${a.base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'otto' }),
    })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: 'bad request', message: expect.stringMatching(/^body\.password: /) })
    const missing = await fetch(`${a.base}/api/v1/nothing`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'not found', message: 'no route GET /api/v1/nothing: see /api/v1/openapi.json' })
  })
})
