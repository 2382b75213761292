import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OnvifCameraAdapter } from '../../../adapters/onvif/adapter.js'
import { OnvifDeviceSchema, type OnvifDeviceConfig, type OnvifDeviceInput } from '../../../adapters/onvif/config.js'
import { readStoredSnapshot } from '../../../adapters/onvif/snapshot-store.js'
import { startCamera, type CameraSim } from '../../../simulators/camera/wire.js'
import { recordingContext } from './context.js'

let dir: string
const cleanup: Array<() => Promise<void>> = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pingan-onvif-'))
})
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
  await rm(dir, { recursive: true, force: true })
})

function config(cam: CameraSim, over: Partial<OnvifDeviceInput> = {}): OnvifDeviceConfig {
  return OnvifDeviceSchema.parse({
    id: cam.id,
    adapter: 'onvif',
    address: `127.0.0.1:${cam.port}`,
    username: 'admin',
    password: 'cam-pw-1',
    pullTimeoutMs: 1000,
    requestTimeoutMs: 1000,
    pingIntervalMs: 300,
    motionHoldMs: 300,
    backoffMinMs: 50,
    backoffMaxMs: 300,
    supervisionMs: 3000,
    snapshot: { dir: join(dir, 'snapshots') },
    ...over,
  })
}

async function setup(camOpts: Partial<Parameters<typeof startCamera>[0]> = {}, over: Partial<OnvifDeviceInput> = {}, tweak: Partial<OnvifDeviceConfig> = {}) {
  const cam = await startCamera({ id: 'cam-gate-1', username: 'admin', password: 'cam-pw-1', ...camOpts })
  const rec = recordingContext()
  const cfg = { ...config(cam, over), ...tweak }
  const adapter = new OnvifCameraAdapter(cfg, rec.ctx)
  await adapter.start()
  cleanup.push(() => cam.stop())
  cleanup.push(() => adapter.stop())
  return { cam, rec, adapter, cfg }
}

const subscribed = (cam: CameraSim) => () => (cam.model.subscriptions.size > 0 && cam.stats.pulls > 0) || undefined

describe('ONVIF adapter against the camera simulator over HTTP', () => {
  it('turns motion into one event carrying a stored snapshot of that camera', async () => {
    const { cam, rec, cfg } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.motion(true)
    const ev = await rec.waitForEvent('motion')
    const snap = ev.attrs?.['snapshot'] as { id: string; bytes: number }
    expect(snap.id).toMatch(/^cam-gate-1\//)
    const jpeg = await readStoredSnapshot([cfg], snap.id)
    expect(jpeg?.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
    expect(jpeg?.toString('latin1')).toContain('camera cam-gate-1 ')
    expect(jpeg?.length).toBe(snap.bytes)
    expect(ev.zone).toBe('MyMotionDetectorRule')
    expect(ev.attrs?.['topic']).toBe('tns1:RuleEngine/CellMotionDetector/Motion')
    // Initialized messages at subscription start are state, never events.
    expect(rec.events.filter((e) => e.type === 'motion')).toHaveLength(1)
    expect(rec.states.some((s) => s['motion'] === false)).toBe(true)
    expect(cam.stats.snapshots).toBe(1)
  })

  it('debounces motion flicker into one motion and one motion.end', async () => {
    const { cam, rec } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.motion(true)
    await rec.waitForEvent('motion')
    cam.motion(false)
    cam.motion(true)
    cam.motion(false)
    cam.set('motionAlarm', true)
    cam.set('motionAlarm', false)
    await rec.waitForEvent('motion.end', 3000)
    await new Promise((r) => setTimeout(r, 500))
    expect(rec.events.filter((e) => e.type.startsWith('motion')).map((e) => e.type)).toEqual(['motion', 'motion.end'])
  })

  it('keeps a motion event open across a lost subscription while the camera still reports motion', async () => {
    const { cam, rec, adapter } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.motion(true)
    await rec.waitForEvent('motion')
    cam.model.subscriptions.clear() // the camera forgets the subscription, motion still on
    await rec.waitFor(() => (adapter.counters.resubscribes >= 1 && cam.model.subscriptions.size > 0) || undefined, 5000, 'a new subscription')
    await new Promise((r) => setTimeout(r, 800)) // longer than motionHoldMs
    expect(rec.events.map((e) => e.type)).toEqual(['motion'])
    cam.motion(false)
    await rec.waitForEvent('motion.end')
    expect(rec.events.map((e) => e.type)).toEqual(['motion', 'motion.end'])
  })

  it('maps tamper, input, line crossing, field intrusion, and keeps unknown topics', async () => {
    const { cam, rec } = await setup({}, { snapshot: { dir: join(dir, 'snapshots'), onTypes: [] } })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.set('tamper', true)
    cam.set('input', true)
    cam.lineCrossed(7)
    cam.set('field', true)
    cam.set('field', false)
    cam.publish('Monitoring/ProcessorUsage', [['Value', '93']])
    await rec.waitForEvent('other')
    expect(rec.events.map((e) => e.type)).toEqual(['video.tamper', 'input', 'line.crossed', 'field.intrusion', 'field.intrusion.end', 'other'])
    expect(rec.events.at(-1)?.attrs?.['topic']).toBe('tns1:Monitoring/ProcessorUsage')
  })

  it('subscribes again, re-measuring the clock, when the camera reboots mid-subscription', async () => {
    const { cam, rec, adapter } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    expect(Math.abs(adapter.client.clockOffsetMs)).toBeLessThan(1500)
    cam.reboot({ downMs: 200, skewMs: 3600_000 })
    await rec.waitFor(() => cam.stats.creates >= 2 || undefined, 5000, 'a second subscription')
    await rec.waitFor(subscribed(cam), 5000, 'pulling again')
    expect(Math.abs(adapter.client.clockOffsetMs - 3600_000)).toBeLessThan(1500)
    cam.set('tamper', true)
    const ev = await rec.waitForEvent('video.tamper')
    // occurredAt is on our clock even though the camera is now an hour ahead.
    expect(Math.abs(Date.parse(ev.occurredAt!) - Date.now())).toBeLessThan(3000)
    expect(adapter.counters.resubscribes).toBeGreaterThanOrEqual(1)
  })

  it('survives malformed replies: counts them, retries, and carries on', async () => {
    const { cam, rec, adapter } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.corruptNext(3)
    cam.lineCrossed(1)
    await rec.waitFor(() => adapter.counters.pullErrors >= 1 || undefined, 5000, 'a counted error')
    cam.lineCrossed(2)
    await rec.waitFor(() => rec.events.some((e) => (e.attrs?.['data'] as Record<string, string>)?.['ObjectId'] === '2') || undefined, 5000, 'the next event')
    expect(rec.lines.some((l) => l['level'] === 40 && l['device'] === 'cam-gate-1' && String(l['err']).includes('malformed XML'))).toBe(true)
  })

  it('echoes the subscription reference parameters of an Axis-style camera', async () => {
    const { cam, rec, adapter } = await setup({ referenceParameters: true }, {}, { subscriptionMs: 3000, renewMarginMs: 1000, pullTimeoutMs: 500 })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.set('tamper', true)
    await rec.waitForEvent('video.tamper')
    await rec.waitFor(() => cam.stats.renews >= 1 || undefined, 5000, 'a renew')
    await adapter.stop()
    expect(cam.stats.unsubscribes).toBe(1)
    expect(cam.model.subscriptions.size).toBe(0)
    expect(adapter.counters.resubscribes).toBe(0)
  })

  it('authenticates against a camera whose clock is two hours off', async () => {
    const { cam, rec } = await setup({ skewMs: -2 * 3600_000 })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.motion(true)
    await rec.waitForEvent('motion')
    expect(cam.stats.authFailures).toBe(0)
  })

  it('reports a wrong password as offline with a reason naming the camera', async () => {
    const { rec } = await setup({ password: 'the-real-one' })
    const off = await rec.waitForEvent('device.offline', 5000)
    expect(String(off.attrs?.['reason'])).toMatch(/camera cam-gate-1 refused the user name "admin"/)
    expect(rec.lines.some((l) => l['level'] === 50 && String(l['err']).includes('cam-gate-1'))).toBe(true)
    expect(rec.states.some((s) => s.online === false && String(s.reason).includes('cam-gate-1'))).toBe(true)
  })

  it('takes a camera that stops answering offline within its supervision window, and back online', async () => {
    const { cam, rec } = await setup()
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    const silentAt = Date.now()
    cam.silence(true)
    const off = await rec.waitForEvent('device.offline', 6000)
    // The window plus one supervision tick (300 ms) and a margin for a loaded machine.
    expect(Date.now() - silentAt).toBeLessThan(3000 + 2000)
    expect(Date.now() - silentAt).toBeGreaterThanOrEqual(3000 - 1000)
    expect(String(off.attrs?.['reason'])).toMatch(/no answer for/)
    cam.silence(false)
    await rec.waitForEvent('device.online', 5000)
  })

  it('renews only near termination, with WS-Addressing headers, and unsubscribes on stop', async () => {
    const { cam, rec, adapter } = await setup({ strictAddressing: true }, {}, { subscriptionMs: 4000, renewMarginMs: 1000, pullTimeoutMs: 500 })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await rec.waitFor(() => cam.stats.pulls >= 3 || undefined, 5000, 'three pulls')
    expect(cam.stats.renews).toBe(0)
    await rec.waitFor(() => cam.stats.renews >= 1 || undefined, 6000, 'a renew')
    expect(cam.stats.addressingFaults).toBe(0)
    expect(cam.stats.creates).toBe(1)
    await adapter.stop()
    expect(cam.stats.unsubscribes).toBe(1)
    expect(cam.model.subscriptions.size).toBe(0)
  })

  it('snapshots linked alarms from other devices, and only those', async () => {
    const { cam, rec, adapter } = await setup({}, { linkage: [{ device: 'panel-1', zones: ['7'] }] })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await adapter.onLinkedAlarm({ id: 'e-1', device: 'panel-2', type: 'intrusion', priority: 2, zone: '7' })
    await adapter.onLinkedAlarm({ id: 'e-2', device: 'panel-1', type: 'intrusion', priority: 2, zone: '8' })
    await adapter.onLinkedAlarm({ id: 'e-3', device: 'panel-1', type: 'arm', priority: 4, zone: '7' })
    expect(rec.events).toHaveLength(0)
    await adapter.onLinkedAlarm({ id: 'e-4', device: 'panel-1', type: 'intrusion', priority: 2, zone: '7' })
    expect(rec.events).toHaveLength(1)
    expect(rec.events[0]).toMatchObject({ type: 'snapshot', priority: 2, attrs: { trigger: { id: 'e-4', device: 'panel-1', type: 'intrusion', zone: '7' } } })
    const id = (rec.events[0]!.attrs!['snapshot'] as { id: string }).id
    expect((await readFile(join(dir, 'snapshots', id))).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
  })
})
