import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runKeys } from '../../../shell/keys.js'
import type { GatewayEvent } from '../../../base/events/event.js'
import { DEVICE, startOsdpRig, until, type OsdpRig } from './setup.js'

let rig: OsdpRig
const waitFor = (type: string, pred: (e: GatewayEvent) => boolean = () => true, ms = 8000) =>
  rig.h.platform.waitForEvent((e) => e.device === DEVICE && e.type === type && e.zone === 'annex' && pred(e), ms)
const after = (t: number) => (e: GatewayEvent) => Date.parse(e.receivedAt) >= t
const stored = (): string | undefined =>
  (JSON.parse(readFileSync(rig.keyStorePath, 'utf8')) as { readers: Record<string, { active?: string }> }).readers[`${DEVICE}:1`]?.active

/** Runs `pingan keys ...` in-process against the rig's key store; returns the exit code and output. */
async function keys(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = []
  const code = await runKeys([args[0]!, '--store', rig.keyStorePath, ...args.slice(1)], { out: (l) => lines.push(l), err: (l) => lines.push(l) })
  return { code, out: lines.join('\n') }
}

beforeAll(async () => {
  rig = await startOsdpRig([{ address: 1, requireSecure: true }], {
    readers: [{ address: 1, door: 'annex', secureChannel: true }],
    offlineAfterMs: 1000,
    reconnectIntervalMs: 100,
    refusedRetryMaxMs: 1000,
  })
  await waitFor('device.online')
})

afterAll(async () => {
  await rig?.stop()
})

describe('osdp: a reader replaced or reset to factory keys, over a PTY', () => {
  it('is reported with the command that fixes it; pingan keys forget lets the gateway key it anew', async () => {
    const first = stored()
    expect(first).toBe(rig.model.pd(1).scbk?.toString('hex'))
    const listed = await keys('list')
    expect(listed.out).toMatch(new RegExp(`${DEVICE} 1 +active [0-9a-f]{8}`))
    expect(listed.out).not.toContain(first)

    const t = Date.now()
    rig.model.factoryReset(1)
    const fault = await waitFor('reader.fault', after(t))
    expect(fault.attrs).toMatchObject({
      reason: 'reader holds a secure channel key the gateway does not have',
      fix: expect.stringContaining(`pingan keys forget ${DEVICE} 1`),
    })
    await waitFor('device.offline', after(t))
    // Left alone, the gateway keeps naming the stored key: the install key is never offered.
    const seen = rig.model.pd(1).counters.commands
    await until(() => rig.model.pd(1).counters.commands > seen + 2)
    expect(rig.model.pd(1).scbk).toBeUndefined()
    expect(rig.model.pd(1).counters.keysets).toBe(1)

    expect(await keys('forget', DEVICE, '1')).toMatchObject({ code: 0, out: expect.stringMatching(/install key/) })
    await waitFor('reader.fault.restore', after(t))
    const back = await waitFor('device.online', after(t))
    expect(back.attrs).toMatchObject({ secure: true })
    expect(rig.model.pd(1).counters.keysets).toBe(2)
    expect(stored()).toBe(rig.model.pd(1).scbk?.toString('hex'))
    expect(stored()).not.toBe(first)
  })
})
