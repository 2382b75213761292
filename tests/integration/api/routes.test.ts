import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, API_TOKEN, OBSERVER, OPERATOR, PRODUCER, UPLINK_USER, type Harness } from '../../helpers/harness.js'
import { apiClient, bearer, loginClient, openLive, type ApiClient } from '../../helpers/api-client.js'

const USERS = {
  vera: { role: 'viewer', password: 'viewer-secret-1' },
  otto: { role: 'operator', password: 'operator-secret-2' },
  ines: { role: 'installer', password: 'installer-secret-1' },
}
const VIEWER_TOKEN = 'viewer-token-0123456789'

let h: Harness
let anon: ApiClient
let viewer: ApiClient
let operator: ApiClient
let installer: ApiClient

beforeAll(async () => {
  h = await startHarness({
    devices: [
      {
        id: 'intercom-1',
        adapter: 'mqtt-ingest',
        kind: 'access',
        name: 'North gate intercom',
        location: { building: 'A', area: 'north gate' },
        supervisionMs: 60_000,
      },
      { id: 'panel-1', adapter: 'mqtt-ingest', kind: 'alarm' },
    ],
    api: {
      tokens: [API_TOKEN, { token: VIEWER_TOKEN, role: 'viewer' }],
      users: Object.entries(USERS).map(([name, u]) => ({ name, ...u })),
    },
  })
  const base = `http://127.0.0.1:${h.gateway.apiPort}`
  anon = apiClient(base)
  viewer = await loginClient(base, 'vera', USERS.vera.password)
  operator = await loginClient(base, 'otto', USERS.otto.password)
  installer = await loginClient(base, 'ines', USERS.ines.password)
})

afterAll(async () => {
  await h?.stop()
})

/** Commits `n` events through the device's own path; resolves once all are in the journal. */
async function emit(
  device: string,
  n: number,
  make: (i: number) => { type: string; zone?: string; raw?: string; attrs?: Record<string, unknown> },
): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) ids.push((await h.gateway.emitAs(device, make(i))).id)
  return ids
}

describe('API routes: who may call', () => {
  it.each([
    ['GET', '/api/v1/devices', 'viewer'],
    ['GET', '/api/v1/devices/intercom-1', 'viewer'],
    ['GET', '/api/v1/events', 'viewer'],
    ['GET', '/api/v1/uplinks', 'viewer'],
    ['GET', '/api/v1/status', 'viewer'],
    ['GET', '/api/v1/config', 'installer'],
    ['POST', '/api/v1/devices/intercom-1/commands', 'operator'],
  ] as const)('%s %s: 401 without credentials, 403 below %s', async (method, path, role) => {
    const call = (c: ApiClient) => (method === 'GET' ? c.get(path) : c.post(path, { action: 'unlock' }))
    const none = await call(anon)
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ error: 'unauthorized', message: expect.stringMatching(/POST \/api\/v1\/session/) })
    const order = [viewer, operator, installer]
    const at = ['viewer', 'operator', 'installer'].indexOf(role)
    for (const [i, c] of order.entries()) {
      const res = await call(c)
      if (i < at) expect(res.status, `${path} as ${['viewer', 'operator', 'installer'][i]}`).toBe(403)
      else expect(res.status, `${path} as ${['viewer', 'operator', 'installer'][i]}`).toBe(200)
    }
    if (role !== 'viewer') expect((await call(bearer(anon.base, VIEWER_TOKEN))).status).toBe(403)
  })
})

describe('GET /devices', () => {
  it('lists every configured device with its state, link figures and supervision', async () => {
    await emit('intercom-1', 1, () => ({ type: 'access.granted', attrs: { card: '1234' } }))
    const { devices } = await viewer.json<{ devices: Array<Record<string, unknown>> }>('/api/v1/devices')
    expect(devices.map((d) => d['id'])).toEqual(['intercom-1', 'panel-1'])
    expect(devices[0]).toMatchObject({
      id: 'intercom-1',
      name: 'North gate intercom',
      adapter: 'mqtt-ingest',
      kind: 'access',
      location: { grid: 'G-01', building: 'A', area: 'north gate' },
      online: true,
      onTest: false,
      lastSeenAt: expect.any(String),
      link: { frames: 0, retries: 0, crcErrors: 0, timeouts: 0, droppedBytes: 0, perMinute: { frames: 0 } },
      supervision: { windowMs: 60_000, lossDetectedAfterSec: 75 },
      stats: {},
    })
    expect(devices[1]).toMatchObject({ id: 'panel-1', name: 'panel-1', online: false, reason: 'not seen yet', supervision: null })
  })

  it('one device with its recent events, newest first; an unknown one is a 404 that says where to look', async () => {
    const ids = await emit('panel-1', 3, (i) => ({ type: 'intrusion', zone: `z${i}`, raw: `frame-${i}` }))
    const d = await viewer.json<{ recent: Array<Record<string, unknown>>; online: boolean }>('/api/v1/devices/panel-1')
    expect(d.online).toBe(true)
    expect(d.recent.slice(0, 3).map((e) => e['id'])).toEqual([...ids].reverse())
    expect(d.recent[0]).not.toHaveProperty('raw')
    const missing = await viewer.get('/api/v1/devices/ghost')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'not found', message: 'no device "ghost" in this gateway\'s config (GET /api/v1/devices lists them)' })
  })
})

describe('GET /events', () => {
  it('filters by device, kind, type, priority, free text and time; pages newest first by cursor with nothing lost or repeated', async () => {
    const before = await emit('intercom-1', 5, (i) => ({ type: 'access.denied', attrs: { card: `deny-${i}` } }))
    const last = (await viewer.json<{ receivedAt: string }>(`/api/v1/events/${before.at(-1)}`)).receivedAt
    while (Date.now() <= Date.parse(last)) await new Promise((r) => setTimeout(r, 1))
    const from = new Date().toISOString()
    const after = await emit('intercom-1', 17, (i) => ({
      type: i % 2 === 0 ? 'door.open' : 'door.closed',
      zone: 'door-7',
      attrs: { n: i, note: i === 11 ? 'Needle_in%haystack' : 'hay' },
    }))

    const page = (q: string) => viewer.json<{ events: Array<Record<string, unknown>>; nextCursor: string | null }>(`/api/v1/events?${q}`)
    expect((await page(`type=access.denied&device=intercom-1`)).events.map((e) => e['id'])).toEqual([...before].reverse())
    expect((await page('priority=3&kind=access')).events.every((e) => e['priority'] === 3 && e['kind'] === 'access')).toBe(true)
    expect((await page('kind=alarm')).events.every((e) => e['device'] === 'panel-1')).toBe(true)
    expect(await page('q=needle_in%25HAY')).toMatchObject({ events: [{ id: after[11] }], nextCursor: null, complete: true })
    expect((await page(`from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}`)).events.map((e) => e['id'])).toEqual([...after].reverse())
    expect((await page(`to=${from}&type=door.open`)).events).toEqual([])

    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const p = await page(`device=intercom-1&from=${from}&limit=5${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...p.events.map((e) => String(e['id'])))
      cursor = p.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(4)
    expect(seen).toEqual([...after].reverse())
  })

  it('one event by id with its raw frame; a bad query is a 400 that says what to fix', async () => {
    const [id] = await emit('panel-1', 1, () => ({ type: 'fire', zone: '9', raw: '[#1234|1110 01 009]' }))
    expect(await viewer.json(`/api/v1/events/${id}`)).toMatchObject({ id, type: 'fire', priority: 1, raw: '[#1234|1110 01 009]', seq: expect.any(Number) })
    expect((await viewer.get('/api/v1/events/0190b6a0-0000-7000-8000-000000000000')).status).toBe(404)
    const bad = async (q: string) => {
      const res = await viewer.get(`/api/v1/events?${q}`)
      expect(res.status, q).toBe(400)
      return ((await res.json()) as { message: string }).message
    }
    expect(await bad('limit=0')).toMatch(/^querystring\.limit: limit is 1 to 500/)
    expect(await bad('limit=501')).toMatch(/limit is 1 to 500/)
    expect(await bad('priority=9')).toMatch(/^querystring\.priority: priority is 1 \(most urgent\) to 4/)
    expect(await bad('cursor=abc')).toMatch(/^querystring\.cursor: use nextCursor from the previous page/)
    expect(await bad('from=yesterday')).toMatch(/^querystring\.from: use an ISO 8601 time/)
    expect(await bad('kind=weather')).toMatch(/^querystring\.kind: /)
    expect(await bad('color=red')).toMatch(/color/)
    expect(await bad(`from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`)).toBe('querystring: from must be before to')
    expect((await viewer.get('/api/v1/events/not-a-uuid')).status).toBe(400)
  })
})

describe('GET /events/live', () => {
  it('streams committed events (without raw) and device state changes', async () => {
    const live = await openLive(viewer)
    try {
      const [id] = await emit('panel-1', 1, () => ({ type: 'panic', zone: '3', raw: 'frame' }))
      const f = await live.waitFor((x) => x.event === 'event' && (x.data as { id: string }).id === id)
      expect(f.data).toMatchObject({ id, device: 'panel-1', type: 'panic', zone: '3' })
      expect(f.data).not.toHaveProperty('raw')
      await emit('panel-1', 1, () => ({ type: 'device.offline' as string, attrs: { reason: 'test' } })).catch(() => [])
      await live.waitFor((x) => x.event === 'state' && (x.data as { device: string }).device === 'panel-1')
    } finally {
      live.close()
    }
  })
})

describe('GET /uplinks', () => {
  it('reports each uplink, the journal and the disk', async () => {
    await h.platform.waitForEvent((e) => e.type === 'gateway.started')
    const v = await viewer.json<{ uplinks: Array<Record<string, unknown>>; journal: Record<string, number>; disk: { freeBytes: number } }>('/api/v1/uplinks')
    expect(v.uplinks).toEqual([
      expect.objectContaining({
        id: 'platform',
        type: 'mqtt',
        state: expect.any(String),
        backlog: expect.any(Number),
        deliveryRatePerMin: expect.any(Number),
        parked: 0,
      }),
    ])
    expect(v.journal).toMatchObject({
      rows: expect.any(Number),
      bytes: expect.any(Number),
      maxRows: h.config.journal.maxRows,
      maxBytes: h.config.journal.maxBytes,
    })
    expect(v.disk.freeBytes).toBeGreaterThan(0)
    for (let i = 0; i < 100 && (await viewer.json<{ uplinks: Array<{ lastAckAt: string | null }> }>('/api/v1/uplinks')).uplinks[0]!.lastAckAt === null; i++)
      await new Promise((r) => setTimeout(r, 50))
    expect((await viewer.json<{ uplinks: Array<{ lastAckAt: string | null }> }>('/api/v1/uplinks')).uplinks[0]!.lastAckAt).toMatch(/^\d{4}-/)
  })
})

describe('GET /config', () => {
  it('shows the running config with every secret redacted', async () => {
    const res = await installer.get('/api/v1/config')
    const text = await res.text()
    for (const secret of [
      API_TOKEN,
      VIEWER_TOKEN,
      OBSERVER.password,
      OPERATOR.password,
      PRODUCER.password,
      UPLINK_USER.password,
      ...Object.values(USERS).map((u) => u.password),
    ]) {
      expect(text).not.toContain(secret)
    }
    const c = JSON.parse(text) as {
      api: { tokens: unknown[]; users: Array<Record<string, unknown>> }
      broker: { users: Array<Record<string, unknown>> }
      uplinks: Array<Record<string, unknown>>
      site: { id: string }
    }
    expect(c.site.id).toBe(h.config.site.id)
    expect(c.api.tokens).toEqual(['[redacted]', { token: '[redacted]', role: '[redacted]' }])
    expect(c.api.users[0]).toEqual({ name: 'vera', role: 'viewer', password: '[redacted]' })
    expect(c.broker.users.every((u) => u['password'] === '[redacted]')).toBe(true)
    expect(c.uplinks[0]).toMatchObject({ username: UPLINK_USER.username, password: '[redacted]' })
  })
})

describe('POST /devices/{id}/commands', () => {
  it('goes through the command router like an MQTT command and is logged with who sent it', async () => {
    const res = await operator.post('/api/v1/devices/intercom-1/commands', { action: 'unlock', id: 'http-1' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({
      id: 'http-1',
      device: 'intercom-1',
      action: 'unlock',
      status: 'offline',
      reason: expect.stringMatching(/producer of this device is not connected/),
    })
    await h.logs.waitFor('command sent from the API', { device: 'intercom-1', command: 'http-1', user: 'otto' })
    const bad = await operator.post('/api/v1/devices/intercom-1/commands', { verb: 'unlock' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { message: string }).message).toMatch(/body/)
    expect((await operator.post('/api/v1/devices/ghost/commands', { action: 'unlock' })).status).toBe(404)
  })
})

describe('GET /api/v1/openapi.json', () => {
  it('documents every route with its schemas', async () => {
    const doc = await anon.json<{ paths: Record<string, Record<string, { parameters?: Array<{ name: string }> }>> }>('/api/v1/openapi.json')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/devices',
        '/api/v1/devices/{id}',
        '/api/v1/devices/{id}/commands',
        '/api/v1/events',
        '/api/v1/events/{id}',
        '/api/v1/events/live',
        '/api/v1/uplinks',
        '/api/v1/config',
        '/api/v1/session',
      ]),
    )
    expect(doc.paths['/api/v1/events']!['get']!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['device', 'kind', 'type', 'priority', 'from', 'to', 'q', 'limit', 'cursor']),
    )
    type Prop = { description?: string }
    const events = doc.paths['/api/v1/events']!['get'] as unknown as {
      responses: Record<string, { content: Record<string, { schema: { properties: Record<string, Prop> } }> }>
    }
    const page = events.responses['200']!.content['application/json']!.schema.properties
    expect(page['complete']?.description).toMatch(/scan budget ran out/)
    expect(page['scanned']?.description).toMatch(/rows this page examined/)
    expect(page['nextCursor']?.description).toMatch(/cursor/)
  })
})
