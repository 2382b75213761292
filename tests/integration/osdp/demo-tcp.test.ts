import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../../base/log.js'
import { startDemo } from '../../../simulators/access-reader/demo.js'
import { startHarness, type Harness } from '../../helpers/harness.js'

let h: Harness
let demo: Awaited<ReturnType<typeof startDemo>>
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pingan-osdp-demo-'))
  demo = await startDemo({ log: createLogger({ level: 'silent' }), dir })
  h = await startHarness({ dir, devices: demo.devices })
})

afterAll(async () => {
  await h?.stop()
  await demo?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('the access demo over TCP (a serial device server)', () => {
  it('brings both doors online, the block A reader inside the secure channel', async () => {
    const gate = await h.platform.waitForEvent((e) => e.type === 'device.online' && e.zone === 'main-gate', 5000)
    expect(gate.attrs).toMatchObject({ door: 'Main gate', secure: false })
    const block = await h.platform.waitForEvent((e) => e.type === 'device.online' && e.zone === 'block-a', 5000)
    expect(block.attrs).toMatchObject({ door: 'Block A entrance', secure: true })
  })

  it('its seeded traffic reaches the platform', async () => {
    const ev = await h.platform.waitForEvent((e) => ['access.granted', 'access.denied', 'credential', 'door.forced'].includes(e.type), 15_000)
    expect(ev.device).toBe('door-bus-1')
  }, 20_000)
})
