import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MotionDebounce } from '../../../adapters/onvif/debounce.js'
import { SnapshotStore, readSnapshot, snapshotFile } from '../../../adapters/onvif/snapshot-store.js'
import { Supervisor } from '../../../adapters/onvif/supervisor.js'
import { deviceServiceUrl } from '../../../adapters/onvif/config.js'

describe('motion debounce', () => {
  it('makes one event of flicker and ends after the hold with every source off', () => {
    const d = new MotionDebounce(1000)
    expect(d.on('cell')).toBe(true)
    d.off('cell', 100)
    expect(d.on('cell')).toBe(false)
    expect(d.on('alarm')).toBe(false)
    d.off('cell', 200)
    expect(d.deadline()).toBeUndefined() // 'alarm' still on
    d.off('alarm', 300)
    expect(d.deadline()).toBe(1300)
    expect(d.due(1299)).toBe(false)
    expect(d.due(1300)).toBe(true)
    expect(d.due(5000)).toBe(false)
    expect(d.on('cell')).toBe(true)
  })

  it('ends a motion in progress after a lost subscription unless motion is reported again', () => {
    const d = new MotionDebounce(500)
    d.on('cell')
    d.reset(1000)
    expect(d.deadline()).toBe(1500)
    expect(d.on('cell')).toBe(false)
    expect(d.deadline()).toBeUndefined()
  })
})

describe('supervisor', () => {
  it('goes online once events flow, offline after the window of silence, online again', () => {
    const s = new Supervisor(1000, 0)
    s.contact(5)
    expect(s.check(10)).toBeUndefined() // answers, but no subscription yet
    s.eventsOk(20)
    expect(s.check(30)).toEqual({ online: true, reason: 'answering' })
    expect(s.check(500)).toBeUndefined()
    s.failure('connect ECONNREFUSED')
    expect(s.check(1021)).toEqual({ online: false, reason: 'no answer for 1 s (connect ECONNREFUSED)' })
    s.eventsOk(1500)
    expect(s.check(1500)?.online).toBe(true)
  })

  it('counts a camera that answers pings but gives no events as offline, with the event error', () => {
    const s = new Supervisor(1000, 0)
    s.eventsOk(10)
    s.check(10)
    s.eventsFailed('PullMessages answered HTTP 500')
    for (let t = 100; t <= 1100; t += 100) s.contact(t)
    expect(s.check(1100)).toEqual({ online: false, reason: 'answers, but no events for 1 s (PullMessages answered HTTP 500)' })
  })

  it('counts a camera that answers but refuses our credentials as offline, with that reason', () => {
    const s = new Supervisor(1000, 0)
    s.contact(1)
    s.refused('camera c1 refused the user name "admin"')
    expect(s.check(2)).toEqual({ online: false, reason: 'camera c1 refused the user name "admin"' })
    s.refusedNoMore()
    s.eventsOk(3)
    expect(s.check(3)?.online).toBe(true)
  })

  it('says "no answer" for a camera that refuses connections, though a ping answered after the last pull', () => {
    const s = new Supervisor(1000, 0)
    s.eventsOk(10)
    s.check(10)
    s.contact(500) // a ping between two long polls
    s.eventsFailed('connect ECONNREFUSED')
    s.failure('connect ECONNREFUSED')
    expect(s.check(1011)).toEqual({ online: false, reason: 'no answer for 1 s (connect ECONNREFUSED)' })
  })

  it('updates the reason of an offline camera when it changes in kind, as a state update only', () => {
    const s = new Supervisor(1000, 0)
    s.eventsOk(10)
    s.check(10)
    s.failure('connect ECONNREFUSED')
    expect(s.check(1100)?.reason).toBe('no answer for 1 s (connect ECONNREFUSED)')
    expect(s.check(5000)).toBeUndefined() // the same reason, only longer
    s.contact(6000) // it answers again, but its event service fails
    s.eventsFailed('PullMessages answered HTTP 500')
    expect(s.check(6000)).toEqual({ online: false, reason: 'answers, but no events for 6 s (PullMessages answered HTTP 500)', update: true })
    s.refused('camera c1 refused the user name "admin"')
    expect(s.check(6100)).toEqual({ online: false, reason: 'camera c1 refused the user name "admin"', update: true })
    s.refusedNoMore()
    s.eventsOk(6200)
    expect(s.check(6200)).toEqual({ online: true, reason: 'answering' })
  })

  it('reports a camera silent since start as offline', () => {
    expect(new Supervisor(1000, 0).check(1001)?.online).toBe(false)
  })
})

describe('snapshot store', () => {
  let dir: string
  afterEach(async () => rm(dir, { recursive: true, force: true }))

  it('keeps within the byte cap (oldest first) and the age cap, and indexes files left by an earlier run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pingan-store-'))
    let now = 1_700_000_000_000
    const store = new SnapshotStore({ root: dir, camera: 'cam-1', maxBytes: 250, maxAgeMs: 10_000, now: () => now })
    await store.init()
    const a = await store.put(Buffer.alloc(100, 1))
    now += 1
    await store.put(Buffer.alloc(100, 2))
    now += 1
    const c = await store.put(Buffer.alloc(100, 3))
    expect(store.count).toBe(2)
    expect(store.usedBytes).toBe(200)
    expect(await readSnapshot(dir, a.id)).toBeUndefined()
    expect((await readSnapshot(dir, c.id))?.[0]).toBe(3)
    now += 20_000
    const again = new SnapshotStore({ root: dir, camera: 'cam-1', maxBytes: 250, maxAgeMs: 10_000, now: () => now })
    await again.init()
    expect(again.count).toBe(0)
    expect(await readdir(join(dir, 'cam-1'))).toEqual([])
  })

  it('refuses ids that are not its own (no path traversal)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pingan-store-'))
    await writeFile(join(dir, 'secret.jpg'), 'x')
    expect(snapshotFile(dir, '../secret.jpg')).toBeUndefined()
    expect(snapshotFile(dir, 'cam-1/../../etc/passwd')).toBeUndefined()
    expect(await readSnapshot(dir, 'cam-1/1700000000000-0.jpg')).toBeUndefined()
  })
})

describe('adapter helpers', () => {
  it('builds the device service URL from a host or keeps a URL', () => {
    expect(deviceServiceUrl('10.0.0.7')).toBe('http://10.0.0.7/onvif/device_service')
    expect(deviceServiceUrl('10.0.0.7:8080')).toBe('http://10.0.0.7:8080/onvif/device_service')
    expect(deviceServiceUrl('https://cam.local/onvif/device_service')).toBe('https://cam.local/onvif/device_service')
  })
})
