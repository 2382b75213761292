import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ParkingBusModel } from '../../../simulators/parking-lock/model.js'
import { servePort, type WireServer } from '../../../simulators/parking-lock/wire.js'
import { apiClient, loginClient, openLive, type ApiClient } from '../../helpers/api-client.js'
import { startHarness, type Harness } from '../../helpers/harness.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'

/** A parking lock on a real serial line (socat PTY pair), driven from the HTTP API. */
let pair: PtyPair
let model: ParkingBusModel
let sim: WireServer
let h: Harness
let operator: ApiClient
let viewer: ApiClient

const timing = { pollIntervalMs: 100, responseTimeoutMs: 100, retries: 1, offlineAfterMisses: 2, offlinePollIntervalMs: 1000, commandPollIntervalMs: 50 }

beforeAll(async () => {
  pair = await startPtyPair()
  model = new ParkingBusModel([{ unit: 1, type: 'lock' }], { now: () => Date.now(), travelMs: 300, seed: 3 })
  sim = await servePort(model, pair.b)
  h = await startHarness({
    devices: [
      {
        id: 'lock-1',
        adapter: 'modbus',
        kind: 'parking',
        name: 'Space P1-001',
        transport: { path: pair.a, baudRate: 19200, parity: 'even', reconnectMinMs: 50, reconnectMaxMs: 200 },
        unit: 1,
        profile: 'parking-lock',
        ...timing,
      },
    ],
    api: {
      users: [
        { name: 'otto', role: 'operator', password: 'operator-secret-2' },
        { name: 'vera', role: 'viewer', password: 'viewer-secret-1' },
      ],
    },
    noUplink: true,
  })
  const base = `http://127.0.0.1:${h.gateway.apiPort}`
  operator = await loginClient(base, 'otto', 'operator-secret-2')
  viewer = await loginClient(base, 'vera', 'viewer-secret-1')
})

afterAll(async () => {
  await h?.stop()
  await sim?.close()
  await pair?.close()
})

describe('device commands and views from the HTTP API, through a real serial line', () => {
  it('raise from the API reaches the lock simulator, is answered with the router result and shows up live', async () => {
    const live = await openLive(viewer)
    try {
      await vi.waitFor(async () => expect((await viewer.json<{ online: boolean }>('/api/v1/devices/lock-1')).online).toBe(true), {
        timeout: 10_000,
        interval: 50,
      })
      const res = await operator.post('/api/v1/devices/lock-1/commands', { action: 'raise', id: 'api-raise-1' })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ id: 'api-raise-1', device: 'lock-1', action: 'raise', status: 'ok' })
      expect(model.lock(1).position).not.toBe(0)
      await live.waitFor((f) => f.event === 'event' && (f.data as { type: string }).type === 'lock.raised')
      await h.logs.waitFor('command done', { device: 'lock-1', command: 'api-raise-1', issuedBy: 'otto' })
      // The same id again is the same command: answered with its first result, not run twice.
      const again = await operator.post('/api/v1/devices/lock-1/commands', { action: 'raise', id: 'api-raise-1' })
      expect(await again.json()).toMatchObject({ id: 'api-raise-1', status: 'ok' })
      expect((await viewer.post('/api/v1/devices/lock-1/commands', { action: 'lower' })).status).toBe(403)
    } finally {
      live.close()
    }
  })

  it('the device view carries the adapter health: link counters, lock position and the supervision window', async () => {
    const d = await viewer.json<Record<string, unknown>>('/api/v1/devices/lock-1')
    expect(d).toMatchObject({
      id: 'lock-1',
      name: 'Space P1-001',
      adapter: 'modbus',
      kind: 'parking',
      online: true,
      link: { frames: expect.any(Number), retries: expect.any(Number), perMinute: { frames: expect.any(Number) } },
      info: { lockPosition: expect.any(String) },
      // 2 misses of a 100 ms poll; each miss waits 100 ms twice (one retry).
      supervision: { windowMs: 200, lossDetectedAfterSec: 1 },
      stats: expect.any(Object),
    })
    expect((d['link'] as { frames: number }).frames).toBeGreaterThan(0)
    expect(d['recent']).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'lock.raised' })]))
  })

  it('an unauthenticated caller cannot send a command', async () => {
    expect((await apiClient(operator.base).post('/api/v1/devices/lock-1/commands', { action: 'lower' })).status).toBe(401)
    expect(h.logs.find('command sent from the API')).toHaveLength(2)
  })
})
