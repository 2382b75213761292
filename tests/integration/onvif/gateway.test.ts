import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readStoredSnapshot } from '../../../adapters/onvif/snapshot-store.js'
import { DeviceSchema } from '../../../config/devices.js'
import { captureLog } from '../../helpers/logs.js'
import { API_TOKEN, startHarness, SITE, type Harness } from '../../helpers/harness.js'
import { startDemo } from '../../../simulators/camera/demo.js'
import { startCamera, type CameraSim } from '../../../simulators/camera/wire.js'

/**
 * Cameras through the whole gateway: the simulated camera over real HTTP, the adapter in the real
 * gateway (aedes, SQLite journal, forwarder), the platform simulator receiving over MQTT.
 */
let cam: CameraSim
let h: Harness
let snapDir: string

beforeAll(async () => {
  snapDir = await mkdtemp(join(tmpdir(), 'pingan-snap-'))
  cam = await startCamera({ id: 'cam-east', username: 'admin', password: 'cam-east-pw', skewMs: 2 * 3600_000 })
  h = await startHarness({
    devices: [
      {
        id: 'cam-east',
        adapter: 'onvif',
        location: { building: '3', area: 'East gate' },
        address: `127.0.0.1:${cam.port}`,
        username: 'admin',
        password: 'cam-east-pw',
        pullTimeoutMs: 1000,
        requestTimeoutMs: 1000,
        pingIntervalMs: 300,
        supervisionMs: 3000,
        motionHoldMs: 200,
        snapshot: { dir: snapDir },
        linkage: [{ device: 'panel-1', zones: ['7'] }],
      },
      { id: 'panel-1', adapter: 'mqtt-ingest', kind: 'alarm' },
    ],
  })
})

afterAll(async () => {
  await h?.stop()
  await cam?.stop()
  await rm(snapDir, { recursive: true, force: true })
})

describe('ONVIF camera through the gateway to the platform', () => {
  it('says the camera came up, then delivers motion as one event with its snapshot, retrievable by id', async () => {
    await h.platform.waitForEvent((e) => e.device === 'cam-east' && e.type === 'device.online', 5000)
    await waitUntil(() => cam.stats.pulls > 0 && cam.model.subscriptions.size > 0, 5000)
    cam.motion(true)
    const ev = await h.platform.waitForEvent((e) => e.device === 'cam-east' && e.type === 'motion', 5000)
    expect(ev).toMatchObject({ site: SITE, kind: 'camera', priority: 2, building: '3', area: 'East gate', zone: 'MyMotionDetectorRule' })
    // The camera is two hours ahead; occurredAt is on the gateway's clock.
    expect(Math.abs(Date.parse(ev.occurredAt!) - Date.parse(ev.receivedAt))).toBeLessThan(3000)
    const snap = ev.attrs['snapshot'] as { id: string; bytes: number }
    const jpeg = await readStoredSnapshot(h.config.devices, snap.id)
    expect(jpeg?.length).toBe(snap.bytes)
    expect(jpeg?.toString('latin1')).toContain('camera cam-east ')
    cam.motion(false)
    await h.platform.waitForEvent((e) => e.device === 'cam-east' && e.type === 'motion.end', 5000)
    expect(h.platform.events.filter((e) => e.device === 'cam-east' && e.type === 'motion')).toHaveLength(1)
  })

  it('takes a snapshot on command from the platform', async () => {
    const r = await h.platform.sendCommand(SITE, 'cam-east', { id: 'cmd-snap-1', action: 'snapshot', params: {} }, 5000)
    expect(r.status).toBe('ok')
    const id = (r.data as { snapshot: { id: string } }).snapshot.id
    expect((await readStoredSnapshot(h.config.devices, id))?.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    const ev = await h.platform.waitForEvent((e) => e.device === 'cam-east' && e.type === 'snapshot' && e.attrs['command'] === 'cmd-snap-1', 5000)
    expect((ev.attrs['snapshot'] as { id: string }).id).toBe(id)
    const bad = await h.platform.sendCommand(SITE, 'cam-east', { id: 'cmd-pan-1', action: 'pan', params: {} }, 5000)
    expect(bad.status).toBe('unsupported')
  })

  it('snapshots from the camera linked to an intrusion on another device', async () => {
    const alarm = await h.gateway.emitAs('panel-1', { type: 'intrusion', zone: '7' })
    const ev = await h.platform.waitForEvent((e) => e.device === 'cam-east' && e.type === 'snapshot' && e.attrs['trigger'] !== undefined, 5000)
    expect(ev.attrs['trigger']).toMatchObject({ id: alarm.id, device: 'panel-1', type: 'intrusion', zone: '7' })
    expect(ev.priority).toBe(2)
  })

  it('reports a camera that stops answering as offline, with the reason, then online again', async () => {
    cam.silence(true)
    const off = await h.platform.waitForEvent((e) => e.device === 'cam-east' && e.type === 'device.offline', 6000)
    expect(String(off.attrs['reason'])).toMatch(/no answer for/)
    cam.silence(false)
    await h.platform.waitForEvent((e) => e.device === 'cam-east' && e.type === 'device.online' && e.seq > off.seq, 8000)
  })
})

describe('camera adapter lifecycle', () => {
  it('starts nothing when stopped before it has loaded', async () => {
    const { definition } = await import('../../../adapters/onvif/index.js')
    const quiet = await startCamera({ id: 'cam-quiet', username: 'admin', password: 'pw' })
    try {
      const cfg = DeviceSchema.parse({
        id: 'cam-quiet',
        adapter: 'onvif',
        address: `127.0.0.1:${quiet.port}`,
        username: 'admin',
        password: 'pw',
        snapshot: { dir: snapDir },
      })
      const { recordingContext } = await import('./context.js')
      const a = definition.create!(cfg as Parameters<NonNullable<typeof definition.create>>[0], recordingContext('cam-quiet').ctx)
      const started = a.start()
      await a.stop()
      await started
      await new Promise((r) => setTimeout(r, 300))
      expect(quiet.stats.creates + quiet.stats.pulls).toBe(0)
    } finally {
      await quiet.stop()
    }
  })
})

describe('camera demo', () => {
  it('starts two cameras whose configs the schema accepts', async () => {
    const logs = captureLog()
    const dir = await mkdtemp(join(tmpdir(), 'pingan-camdemo-'))
    const demo = await startDemo({ log: logs.log, dir })
    try {
      expect(demo.devices.map((d) => d.id)).toEqual(['cam-gate-north', 'cam-ramp-b1'])
      for (const d of demo.devices) expect(DeviceSchema.parse(d)).toEqual(d)
    } finally {
      await demo.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

async function waitUntil(f: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('snapshot API', () => {
  it('serves a stored snapshot by id and 404s the rest', async () => {
    const r = await h.platform.sendCommand(SITE, 'cam-east', { id: 'cmd-snap-api', action: 'snapshot', params: {} }, 5000)
    const id = (r.data as { snapshot: { id: string } }).snapshot.id
    const auth = { authorization: `Bearer ${API_TOKEN}` }
    const res = await fetch(`http://127.0.0.1:${h.gateway.apiPort}/api/v1/snapshots/${id}`, { headers: auth })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    const bad = await fetch(`http://127.0.0.1:${h.gateway.apiPort}/api/v1/snapshots/cam-east/..%2F..%2Fetc%2Fpasswd`, { headers: auth })
    expect(bad.status).toBe(404)
  })
})

describe('status API', () => {
  it("shows each camera's counters: pull errors, bad messages, resubscribes, snapshot errors", async () => {
    const get = async (): Promise<Record<string, Record<string, number>>> => {
      const res = await fetch(`http://127.0.0.1:${h.gateway.apiPort}/api/v1/status`, { headers: { authorization: `Bearer ${API_TOKEN}` } })
      expect(res.status).toBe(200)
      return ((await res.json()) as { devices: { stats: Record<string, Record<string, number>> } }).devices.stats
    }
    await waitUntil(() => cam.stats.pulls > 0 && cam.model.subscriptions.size > 0, 5000)
    const before = (await get())['cam-east']!
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['events', 'pullErrors', 'badMessages', 'resubscribes', 'snapshotErrors']))
    cam.corruptNext(1) // the pull that carries this crossing gets half an envelope: it is lost
    cam.lineCrossed(9)
    let after = before
    for (const end = Date.now() + 5000; after['pullErrors'] === before['pullErrors']; after = (await get())['cam-east']!) {
      if (Date.now() > end) throw new Error('no pull error counted')
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(after['pullErrors']).toBe(before['pullErrors']! + 1)
    cam.lineCrossed(10)
    await h.platform.waitForEvent((e) => e.device === 'cam-east' && (e.attrs['data'] as Record<string, string> | undefined)?.['ObjectId'] === '10', 5000)
    after = (await get())['cam-east']!
    expect(after['events']).toBeGreaterThan(before['events']!)
    expect((await get())['panel-1']).toBeUndefined() // no adapter in-process, no counters
  })
})
