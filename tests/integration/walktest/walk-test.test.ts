import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayEvent } from '../../../base/events/event.js'
import type { WalkTestView } from '../../../gateway/walktest/schema.js'
import { verifyReportText } from '../../../gateway/walktest/verify.js'
import { OPERATOR_TOKEN, startSite, type Site } from './site.js'

/** A safety net for a loaded machine: every wait below is for an event, this only bounds it. */
const DEADLINE_MS = 30_000

let site: Site
beforeAll(async () => {
  site = await startSite()
  const online = (device: string, zone?: string) =>
    site.platform.waitForEvent((e) => e.device === device && e.type === 'device.online' && (zone === undefined || e.zone === zone), DEADLINE_MS)
  await Promise.all([online('alarm-rx'), online('doors', 'main-gate'), online('lock-1')])
}, 4 * DEADLINE_MS)
afterAll(async () => {
  await site?.stop()
})

/** Polls an HTTP condition: the report is written once every uplink acknowledged the walk test's end. */
async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + DEADLINE_MS
  for (;;) {
    const v = await get()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const json = async <T>(r: Response): Promise<T> => (await r.json()) as T
const ended = (id: string) => (e: GatewayEvent) => e.type === 'walktest.ended' && e.attrs['walktest'] === id
const reportListed = (id: string) => async () => {
  const { reports } = await json<{ reports: Array<{ id: string; result: string; sha256: string }> }>(await site.api('/walktests'))
  return reports.find((r) => r.id === id)
}

describe('walk test against a running gateway and its simulators', { timeout: 4 * DEADLINE_MS }, () => {
  it('an alarm zone, a reader and a lock: tested through the devices, complete, the report fetched and verified', async () => {
    expect((await site.api('/walktests', { method: 'POST', body: {}, token: null })).status).toBe(401)
    expect((await site.api('/walktests', { method: 'POST', body: {}, token: OPERATOR_TOKEN })).status).toBe(403)
    const res = await site.api('/walktests', { method: 'POST', body: { devices: ['alarm-rx', 'doors', 'lock-1'], installer: 'Li Wei' } })
    expect(res.status).toBe(200)
    const view = await json<WalkTestView>(res)
    expect(view).toMatchObject({ state: 'running', installer: 'Li Wei', untested: 3 })
    expect(view.points.map((p) => p.key)).toEqual(['alarm-rx/015', 'doors/main-gate/reader', 'lock-1'])
    expect((await site.api('/walktests', { method: 'POST', body: {} })).status).toBe(409)
    await site.platform.waitForEvent((e) => e.type === 'walktest.started' && e.attrs['walktest'] === view.id, DEADLINE_MS)

    // The installer walks: trips and restores the fence beam, badges at the gate, cycles the lock.
    // A real fire on the kitchen zone meanwhile stays live: not a test event.
    site.receiver.send(
      { account: '1234', qualifier: 'E', code: '131', group: '01', zone: '015' },
      { account: '1234', qualifier: 'R', code: '131', group: '01', zone: '015' },
    )
    site.receiver.send({ account: '1234', qualifier: 'E', code: '110', group: '01', zone: '009' })
    site.access.swipe(0, 'H10301', 123, 4567)
    site.parking.lock(1).write('holding', 1, 1, Date.now())
    await site.platform.waitForEvent((e) => e.device === 'lock-1' && e.type === 'lock.raised', DEADLINE_MS)
    site.parking.lock(1).write('holding', 1, 2, Date.now())

    const end = await site.platform.waitForEvent(ended(view.id), DEADLINE_MS)
    expect(end).toMatchObject({ device: 'gateway', priority: 4, attrs: { result: 'complete', endedBy: 'all-tested', untested: 0 } })
    const test = site.platform.events.filter((e) => e.test === true)
    expect(new Set(test.map((e) => e.type))).toEqual(new Set(['intrusion', 'intrusion.restore', 'credential', 'lock.raised', 'lock.lowered']))
    expect(site.platform.events.find((e) => e.type === 'fire')).toMatchObject({ zone: 'kitchen smoke', priority: 1 })
    expect(site.platform.events.find((e) => e.type === 'fire')?.test).toBeUndefined()
    // The alarm-receiving centre was told as a panel tells it: Contact ID 607 begins and ends.
    await until('the centre to get the walk test end', async () => site.centre.model.events.find((e) => e.data.includes('|3607 ')) ?? undefined)
    expect(site.centre.model.events.some((e) => e.data.includes('|1607 '))).toBe(true)

    const listed = await until('the report', reportListed(view.id))
    expect(listed.result).toBe('complete')
    const file = await site.api(`/walktests/${view.id}/report.json`)
    expect(file.headers.get('content-type')).toMatch(/^application\/json/)
    const text = await file.text()
    expect(verifyReportText(text)).toEqual({ ok: true, sha256: listed.sha256 })
    const report = JSON.parse(text)
    expect(report).toMatchObject({
      site: { id: 'test-site' },
      installer: 'Li Wei',
      result: 'complete',
      summary: { points: 3, tested: 3, untested: 0, excluded: 1 },
    })
    expect(report.excluded).toEqual([expect.objectContaining({ key: 'alarm-rx/009' })])
    expect(report.uplinks.map((u: { uplink: string; ended: { acknowledged: boolean } }) => [u.uplink, u.ended.acknowledged])).toEqual([
      ['platform', true],
      ['arc', true],
    ])
    expect(report.devices.map((d: { id: string; source: string }) => d.id)).toEqual(['alarm-rx', 'doors', 'lock-1'])
    expect(report.clocks.notes).toEqual([
      expect.stringContaining('alarm-rx: Contact ID'),
      expect.stringContaining('doors: OSDP'),
      expect.stringContaining('lock-1: its Modbus'),
    ])
    expect(report.clocks.offsets).toEqual([expect.objectContaining({ source: 'dc09-receiver', id: 'arc/wired/primary', offsetMs: 0 })])
    expect(await json(await site.api('/walktests/current'))).toMatchObject({ id: view.id, state: 'complete', report: { sha256: listed.sha256 } })

    const verify = (body: unknown) => site.api('/walktests/verify', { method: 'POST', body }).then((r) => json<{ ok: boolean }>(r))
    expect((await verify(report)).ok).toBe(true)
    expect((await verify({ ...report, installer: 'Li Wej' })).ok).toBe(false)
    const html = await site.api(`/walktests/${view.id}/report.html`)
    expect(html.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await html.text()).toContain(listed.sha256)
    const csv = await (await site.api(`/walktests/${view.id}/report.csv`)).text()
    expect(csv.trimEnd().split('\r\n')).toHaveLength(4)
    expect((await site.api('/walktests/not-an-id/report.json')).status).toBe(400)
  })

  it('at the time limit: incomplete, the untested points reach the platform, and the report says so', async () => {
    const res = await site.api('/walktests', {
      method: 'POST',
      body: { devices: ['lock-1'], zones: [{ device: 'alarm-rx', zone: '15' }], timeLimitMinutes: 5 },
    })
    const view = await json<WalkTestView>(res)
    expect(view).toMatchObject({ state: 'running', untested: 2 })
    site.access.swipe(0, 'H10301', 123, 4567)
    // A device not on this test: its events stay live.
    const card = await site.platform.waitForEvent((e) => e.type === 'credential' && Date.parse(e.receivedAt) >= Date.parse(view.startedAt), DEADLINE_MS)
    expect(card.test).toBeUndefined()
    site.timers.fireFirst()

    const end = await site.platform.waitForEvent(ended(view.id), DEADLINE_MS)
    expect(end).toMatchObject({
      priority: 3,
      attrs: { result: 'incomplete', endedBy: 'time-limit', untested: 2, untestedPoints: [{ key: 'alarm-rx/015' }, { key: 'lock-1' }] },
    })
    expect(await json(await site.api('/walktests/current'))).toMatchObject({ id: view.id, state: 'incomplete', untested: 2 })
    const listed = await until('the report', reportListed(view.id))
    const report = JSON.parse(await (await site.api(`/walktests/${view.id}/report.json`)).text())
    expect(report.sha256).toBe(listed.sha256)
    expect(report.points.map((p: { key: string; result: string }) => [p.key, p.result])).toEqual([
      ['alarm-rx/015', 'untested'],
      ['lock-1', 'untested'],
    ])
    expect((await site.api('/walktests/current/end', { method: 'POST' })).status).toBe(409)
  })
})
