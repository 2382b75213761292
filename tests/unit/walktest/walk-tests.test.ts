import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { WalkTests } from '../../../gateway/walktest/walk-tests.js'
import { ReportStore, reportsDirFor } from '../../../gateway/walktest/store.js'
import { WalkTestError } from '../../../gateway/walktest/scope.js'
import { verifyReportText } from '../../../gateway/walktest/verify.js'
import type { WalkTestView } from '../../../gateway/walktest/schema.js'
import type { EventInput, GatewayEvent } from '../../../base/events/event.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { captureLog } from '../../helpers/logs.js'
import { committed, siteDevices } from './fixtures.js'

const T0 = Date.parse('2026-12-01T10:00:00Z')
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Walk tests over a store in `dir` (a fresh one unless given: the same one is a restart). */
function setup(dir = mkdtempSync(join(tmpdir(), 'pingan-walktest-'))) {
  dirs.push(dir)
  const timers = new ManualTimers(T0)
  const gatewayEvents: EventInput[] = []
  let n = 0
  const log = captureLog()
  const w = new WalkTests({
    site: { id: 'lotus', name: 'Lotus Garden' },
    devices: siteDevices(),
    uplinks: [
      { id: 'platform', type: 'mqtt' },
      { id: 'arc', type: 'dc09' },
    ],
    timers,
    newId: () => `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    gatewayEvent: async (e) => {
      gatewayEvents.push(e)
    },
    deviceInfo: (id) =>
      id === 'lock-1'
        ? { info: { firmware: '2.1', serial: 'L-77' }, source: 'health' }
        : id === 'cam-1'
          ? { info: { clockOffsetMs: 4000 }, source: 'health' }
          : undefined,
    uplinkHealth: (id) => (id === 'arc' ? { paths: [{ receivers: [{ name: 'rx-1', clockOffsetMs: -2000 }] }] } : undefined),
    store: new ReportStore(join(dir, 'walktests'), log.log),
    log: log.log,
  })
  const feed = (ev: GatewayEvent) => {
    w.mark(ev)
    w.committed(ev)
  }
  const reported = () => new Promise<WalkTestView>((resolve) => w.on('update', (v) => v.report && resolve(v)))
  return { w, timers, gatewayEvents, feed, reported, dir }
}

describe('walk tests', () => {
  it('one at a time: started, the uplinks told, every point tested, the report stored with its path checks', async () => {
    const { w, gatewayEvents, feed, reported, dir } = setup()
    const view = await w.start({ devices: ['lock-1'], zones: [{ device: 'doors', zone: 'block-a' }] }, 'installer-1')
    expect(view).toMatchObject({ state: 'running', installer: 'installer-1', untested: 2, endsAt: new Date(T0 + 30 * 60_000).toISOString() })
    await expect(w.start({}, 'x')).rejects.toThrow(WalkTestError)
    expect(gatewayEvents[0]).toMatchObject({
      type: 'walktest.started',
      attrs: { walktest: view.id, devices: ['doors', 'lock-1'], points: 2, timeLimitMinutes: 30 },
    })
    w.delivered('platform', gatewayEvents[0]!.id!)
    const report = reported()
    feed(committed('lock-1', 'lock.raised'))
    feed(committed('lock-1', 'lock.lowered'))
    feed(committed('doors', 'credential', { zone: 'block-a' }))
    expect(w.current()).toMatchObject({ state: 'complete', untested: 0 })
    await new Promise((r) => setImmediate(r))
    const ended = gatewayEvents[1]!
    expect(ended).toMatchObject({ type: 'walktest.ended', attrs: { walktest: view.id, result: 'complete', endedBy: 'all-tested', untested: 0 } })
    expect(ended.priority).toBeUndefined()
    w.delivered('platform', ended.id!)
    w.delivered('arc', ended.id!)
    const done = await report
    const text = readFileSync(join(dir, 'walktests', `${view.id}.json`), 'utf8')
    expect(verifyReportText(text)).toEqual({ ok: true, sha256: done.report!.sha256 })
    const r = JSON.parse(text)
    expect(
      r.uplinks.map((u: { uplink: string; started: { acknowledged: boolean }; ended: { acknowledged: boolean } }) => [
        u.uplink,
        u.started.acknowledged,
        u.ended.acknowledged,
      ]),
    ).toEqual([
      ['platform', true, true],
      ['arc', false, true],
    ])
    expect(r.devices.find((d: { id: string }) => d.id === 'lock-1')).toMatchObject({ firmware: '2.1', serial: 'L-77', source: 'health' })
    expect(r.clocks.offsets).toEqual([expect.objectContaining({ source: 'dc09-receiver', id: 'arc/rx-1', offsetMs: -2000 })])
    expect(await w.store().list()).toEqual([{ id: view.id, startedAt: r.startedAt, endedAt: r.endedAt, result: 'complete', sha256: r.sha256 }])
    const second = await w.start({ devices: ['cam-1'] }, 'installer-1')
    expect(second.id).not.toBe(view.id)
  })

  it('at the time limit: incomplete, the untested points sent to the platform at priority 3, the report after the path-check wait', async () => {
    const { w, timers, gatewayEvents, reported } = setup()
    const view = await w.start({ devices: ['cam-1', 'intercom'], timeLimitMinutes: 5 }, 'installer-1')
    const report = reported()
    await timers.fireNext()
    expect(timers.now()).toBe(T0 + 5 * 60_000)
    expect(w.current()).toMatchObject({ state: 'incomplete', untested: 2 })
    // The report waits for the uplinks' acknowledgement of the end; none comes.
    await timers.fireNext()
    const done = await report
    expect(gatewayEvents[1]).toMatchObject({
      type: 'walktest.ended',
      priority: 3,
      attrs: {
        result: 'incomplete',
        endedBy: 'time-limit',
        untested: 2,
        untestedPoints: [
          { key: 'cam-1', label: 'Gate camera: camera' },
          { key: 'intercom', label: 'intercom: producer' },
        ],
      },
    })
    const r = JSON.parse((await w.store().read(view.id, 'json'))!.toString())
    expect(r).toMatchObject({ result: 'incomplete', endedBy: 'time-limit', summary: { untested: 2 } })
    expect(r.clocks.offsets).toContainEqual(
      expect.objectContaining({ source: 'camera', id: 'cam-1', offsetMs: 4000, basis: expect.stringContaining('GetSystemDateAndTime') }),
    )
    expect(r.clocks.notes).toEqual([expect.stringContaining('intercom: no test event carried occurredAt')])
    expect(r.uplinks.every((u: { ended: { acknowledged: boolean } }) => !u.ended.acknowledged)).toBe(true)
    expect(done.report!.sha256).toBe(r.sha256)
  })

  it('the installer ends it; nothing to end answers so', async () => {
    const { w } = setup()
    expect(() => w.end()).toThrow('no walk test is running')
    await w.start({ zones: [{ device: 'alarm-rx', zone: '15' }] }, 'installer-1')
    expect(w.end()).toMatchObject({ state: 'ended', result: 'incomplete', endedBy: 'installer' })
    expect(() => w.end()).toThrow(WalkTestError)
  })

  it('a gateway stop ends a running test and writes its report without waiting for the uplinks', async () => {
    const { w, gatewayEvents } = setup()
    const view = await w.start({ devices: ['lock-1'] }, 'installer-1')
    await w.stop()
    expect(gatewayEvents.map((e) => e.type)).toEqual(['walktest.started', 'walktest.ended'])
    expect((await w.store().list()).map((r) => r.id)).toEqual([view.id])
  })

  it('keeps reports beside the journal file, or in the temporary folder for a journal in memory', () => {
    expect(reportsDirFor('/var/lib/pingan/journal.db', 'lotus')).toBe('/var/lib/pingan/walktests')
    expect(reportsDirFor(':memory:', 'lotus')).toBe(join(tmpdir(), 'pingan-walktests-lotus'))
  })

  it('a walk test a crash interrupted is reported ended at the next start, once; one that ended leaves nothing to end', async () => {
    const crashed = setup()
    const view = await crashed.w.start({ devices: ['lock-1'] }, 'installer-1')
    expect(existsSync(join(crashed.dir, 'walktests', 'running.json'))).toBe(true)
    // The gateway dies here: no end, no report. It starts again on the same folder.
    const restarted = setup(crashed.dir)
    expect(await restarted.w.recover()).toMatchObject({ walktest: view.id, installer: 'installer-1', devices: ['lock-1'] })
    expect(restarted.gatewayEvents).toEqual([
      expect.objectContaining({
        type: 'walktest.ended',
        priority: 3,
        attrs: expect.objectContaining({ walktest: view.id, result: 'incomplete', endedBy: 'gateway-restart' }),
      }),
    ])
    expect(await setup(crashed.dir).w.recover()).toBeUndefined()

    const clean = setup()
    await clean.w.start({ devices: ['lock-1'] }, 'installer-1')
    clean.w.end()
    await clean.w.stop()
    const again = setup(clean.dir)
    expect(await again.w.recover()).toBeUndefined()
    expect(again.gatewayEvents).toEqual([])
  })
})
