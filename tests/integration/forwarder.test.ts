import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHarness, UPLINK_USER, type Harness } from '../helpers/harness.js'
import { startPlatformSim, type PlatformSim } from '../../simulators/platform/platform.js'
import type { GatewayEvent } from '../../base/events/event.js'

const devices = ['d1', 'd2', 'd3', 'panel', 'info'].map((id) => ({ id, adapter: 'mqtt-ingest', kind: 'alarm' }))

function perDeviceInOrder(events: GatewayEvent[]): boolean {
  const last = new Map<string, number>()
  for (const e of events) {
    if ((last.get(e.device) ?? 0) >= e.seq) return false
    last.set(e.device, e.seq)
  }
  return true
}

/** For the journal's delivered marks only: they are written with a later commit and announce nothing. */
async function waitUntil(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('forwarder', () => {
  let h: Harness | undefined
  let platform: PlatformSim | undefined
  let dir: string | undefined
  afterEach(async () => {
    await h?.stop()
    await platform?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    h = platform = dir = undefined
  })

  it('survives the platform going away and coming back: nothing lost, each device in order', async () => {
    h = await startHarness({ devices })
    const sent: string[] = []
    const emit = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const r = await h!.gateway.emitAs(`d${(i % 3) + 1}`, { type: 'intrusion', attrs: { n: sent.length } })
        sent.push(r.id)
      }
    }
    await emit(300)
    await h.platform.goOffline()
    await emit(700) // during the outage: journal only
    expect(h.gateway.journal.stats().pending['platform']).toBeGreaterThanOrEqual(700)
    const status = await h.gateway.status()
    expect(status.uplinks['platform']).toMatchObject({ state: expect.stringMatching(/down|connecting/) })
    expect(status.uplinks['platform']!.oldestUndeliveredAgeMs).toBeGreaterThanOrEqual(0)
    await h.platform.comeBack()
    await emit(300)
    await h.platform.waitUntil(() => sent.every((id) => h!.platform.recorder.has(id)))
    const mine = h.platform.events.filter((e) => e.device.startsWith('d'))
    expect(new Set(mine.map((e) => e.id)).size).toBe(1300)
    expect(perDeviceInOrder(mine)).toBe(true)
    expect(h.platform.report().orderViolations).toBe(0)
    expect(h.platform.report().gaps).toBe(0)
    await waitUntil(() => h!.gateway.journal.stats().pending['platform'] === 0, 5000)
  })

  it('a restart with a backlog resumes where it stopped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-restart-'))
    platform = await startPlatformSim({ users: [UPLINK_USER] })
    await platform.goOffline()
    h = await startHarness({ devices, dir, platform })
    const ids: string[] = []
    for (let i = 0; i < 500; i++) ids.push((await h.gateway.emitAs('d1', { type: 'test', attrs: { n: i } })).id)
    await h.stop()
    await platform.comeBack()
    h = await startHarness({ devices, dir, platform })
    await platform.waitUntil(() => ids.every((id) => platform!.recorder.has(id)))
    const d1 = platform.events.filter((e) => e.device === 'd1')
    expect(d1.map((e) => e.attrs['n'])).toEqual(Array.from({ length: 500 }, (_, i) => i))
    expect(perDeviceInOrder(platform.events)).toBe(true)
  })

  it('drains life-safety events ahead of a backlog without reordering any device', async () => {
    h = await startHarness({ devices })
    await h.platform.goOffline()
    for (let i = 0; i < 3000; i++) await h.gateway.emitAs('info', { type: 'test', attrs: { n: i } })
    for (let i = 0; i < 50; i++) await h.gateway.emitAs('panel', { type: 'test', attrs: { n: i } })
    const fire = await h.gateway.emitAs('panel', { type: 'fire', zone: '014' })
    const late = await h.gateway.emitAs('panel', { type: 'fire.restore', zone: '014' })
    await h.platform.comeBack()
    await h.platform.waitUntil(() => h!.platform.recorder.has(late.id) && h!.platform.events.filter((e) => e.device === 'info').length === 3000)
    const order = h.platform.events.map((e) => e.id)
    const fireAt = order.indexOf(fire.id)
    // The fire came after its own panel's 50 earlier events, and long before the info backlog drained.
    expect(fireAt).toBeLessThan(1000)
    expect(perDeviceInOrder(h.platform.events)).toBe(true)
    const panel = h.platform.events.filter((e) => e.device === 'panel')
    expect(panel.map((e) => e.type).slice(-2)).toEqual(['fire', 'fire.restore'])
  })

  it('fast reconnects while draining a backlog of security events keep each device in order', async () => {
    // The platform cuts every connection at a few points of the drain; the gateway is back within ms.
    const cutAt = new Set(Array.from({ length: 40 }, (_, i) => 3 + i * 7))
    let seen = 0
    platform = await startPlatformSim({ users: [UPLINK_USER], onEvent: () => cutAt.has(++seen) && platform!.disconnectAll() })
    h = await startHarness({ devices, platform })
    await platform.goOffline()
    const ids: string[] = []
    for (let i = 0; i < 300; i++) ids.push((await h.gateway.emitAs(i % 2 ? 'd1' : 'd2', { type: 'intrusion', attrs: { n: i } })).id)
    await platform.comeBack()
    await platform.waitUntil(() => ids.every((id) => platform!.recorder.has(id)))
    expect(seen).toBeGreaterThan(220)
    expect(perDeviceInOrder(platform.events.filter((e) => e.device !== 'gateway'))).toBe(true)
    expect(platform.report().orderViolations).toBe(0)
  })
})
