import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readStoredSnapshot } from '../../../adapters/onvif/snapshot-store.js'
import { subscribed, useCameraAdapter } from './setup.js'

const { setup, dir } = useCameraAdapter()

describe('ONVIF adapter: camera events over HTTP', () => {
  it('says the camera is up at start with device.online, as every adapter does', async () => {
    const { rec } = await setup()
    const online = await rec.waitForEvent('device.online')
    expect(online.attrs).toEqual({ reason: 'answering' })
    expect(rec.states).toContainEqual({ online: true, reason: 'answering' })
    expect(rec.events.filter((e) => e.type.startsWith('device.'))).toHaveLength(1)
  })

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
    expect(rec.ownEvents().map((e) => e.type)).toEqual(['motion'])
    cam.motion(false)
    await rec.waitForEvent('motion.end')
    expect(rec.ownEvents().map((e) => e.type)).toEqual(['motion', 'motion.end'])
  })

  it('maps tamper, input, line crossing, field intrusion, and keeps unknown topics', async () => {
    const { cam, rec } = await setup({}, { snapshot: { dir: join(dir(), 'snapshots'), onTypes: [] } })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    cam.set('tamper', true)
    cam.set('input', true)
    cam.lineCrossed(7)
    cam.set('field', true)
    cam.set('field', false)
    cam.publish('Monitoring/ProcessorUsage', [['Value', '93']])
    await rec.waitForEvent('other')
    expect(rec.ownEvents().map((e) => e.type)).toEqual(['video.tamper', 'input', 'line.crossed', 'field.intrusion', 'field.intrusion.end', 'other'])
    expect(rec.ownEvents().at(-1)?.attrs?.['topic']).toBe('tns1:Monitoring/ProcessorUsage')
  })

  it('snapshots linked alarms from other devices, and only those', async () => {
    const { cam, rec, adapter } = await setup({}, { linkage: [{ device: 'panel-1', zones: ['7'] }] })
    await rec.waitFor(subscribed(cam), 5000, 'a subscription')
    await adapter.onLinkedAlarm({ id: 'e-1', device: 'panel-2', type: 'intrusion', priority: 2, zone: '7' })
    await adapter.onLinkedAlarm({ id: 'e-2', device: 'panel-1', type: 'intrusion', priority: 2, zone: '8' })
    await adapter.onLinkedAlarm({ id: 'e-3', device: 'panel-1', type: 'arm', priority: 4, zone: '7' })
    expect(rec.ownEvents()).toHaveLength(0)
    await adapter.onLinkedAlarm({ id: 'e-4', device: 'panel-1', type: 'intrusion', priority: 2, zone: '7' })
    expect(rec.ownEvents()).toHaveLength(1)
    expect(rec.ownEvents()[0]).toMatchObject({
      type: 'snapshot',
      priority: 2,
      attrs: { trigger: { id: 'e-4', device: 'panel-1', type: 'intrusion', zone: '7' } },
    })
    const id = (rec.ownEvents()[0]!.attrs!['snapshot'] as { id: string }).id
    expect((await readFile(join(dir(), 'snapshots', id))).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
  })
})
