import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfigFile } from '../../../config/load.js'
import { startGateway, type Gateway } from '../../../gateway/main.js'
import type { GatewayEvent } from '../../../base/events/event.js'
import { startCamera, type CameraSim } from '../../../simulators/camera/wire.js'
import { captureLog } from '../../helpers/logs.js'

const TOKEN = 'paths-test-token-0123456789'

let root = ''
let cam: CameraSim | undefined
let gateway: Gateway | undefined
afterEach(async () => {
  await gateway?.stop()
  await cam?.stop()
  await rm(root, { recursive: true, force: true })
})

describe('paths in a config file', () => {
  it('puts snapshots beside the journal, relative to the config file, and serves them at /api/v1/snapshots', async () => {
    root = await mkdtemp(join(tmpdir(), 'pingan-paths-'))
    const etc = join(root, 'etc')
    await mkdir(etc)
    cam = await startCamera({ id: 'cam-1', username: 'admin', password: 'cam-pw-1' })
    const file = join(etc, 'site.yaml')
    await writeFile(
      file,
      [
        'version: 1',
        'site: { id: lotus, name: Lotus }',
        'broker: { port: 0 }',
        `api: { port: 0, tokens: ["${TOKEN}"] }`,
        'journal: { path: data/journal.db, spareBytes: 0 }',
        'devices:',
        `  - { id: cam-1, adapter: onvif, address: "127.0.0.1:${cam.port}", username: admin, password: cam-pw-1, pullTimeoutMs: 1000, requestTimeoutMs: 1000, snapshot: { dir: data/snapshots } }`,
      ].join('\n'),
    )
    // The working directory (here the repository) is not where the config file is, as under systemd.
    const config = loadConfigFile(file)
    expect(config.devices[0]).toMatchObject({ snapshot: { dir: join(etc, 'data/snapshots') } })
    gateway = await startGateway(config, { log: captureLog().log })
    const motion = new Promise<GatewayEvent>((resolve) =>
      gateway!.journal.on('committed', (_rows, events: GatewayEvent[]) => {
        const ev = events.find((e) => e.type === 'motion')
        if (ev) resolve(ev)
      }),
    )
    for (const end = Date.now() + 5000; !(cam.stats.pulls > 0 && cam.model.subscriptions.size > 0); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error('the camera was not subscribed')
    }
    cam.motion(true)
    const id = ((await motion).attrs['snapshot'] as { id: string }).id
    expect(existsSync(join(etc, 'data/snapshots', id))).toBe(true)
    expect(existsSync(join(etc, 'data/journal.db'))).toBe(true)
    const res = await fetch(`http://127.0.0.1:${gateway.apiPort}/api/v1/snapshots/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
  })
})
