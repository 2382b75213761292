import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ADAPTERS, DEVICE_SCHEMAS, configWarnings, isIngestDevice, readSnapshot } from '../../../adapters/registry.js'
import { isLinkable, type AdapterContext } from '../../../adapters/types.js'
import { createLogger } from '../../../base/log.js'

const ctx = (signal: AbortSignal): AdapterContext => ({
  log: createLogger({ level: 'silent' }),
  now: () => 0,
  signal,
  emit: async () => ({ id: 'x', duplicate: false }),
  setState: () => undefined,
})

describe('adapter registry', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  it('each entry declares what its definition offers', async () => {
    for (const [name, entry] of Object.entries(ADAPTERS)) {
      const def = await entry.load()
      expect(def.adapter, name).toBe(name)
      expect(def.configSchema, `${name}: one config schema`).toBe(entry.configSchema)
      expect(def.create === null, `${name}: commands by producers iff no in-process adapter`).toBe(entry.offers.commands === 'producer')
      expect(typeof def.supervise === 'function', `${name}: supervision by events iff supervise()`).toBe(entry.offers.supervision === 'events')
      expect(typeof entry.readSnapshot === 'function', `${name}: snapshots iff a snapshot reader`).toBe(entry.offers.snapshots)
      expect(isIngestDevice(name), name).toBe(entry.offers.intake === 'broker')
    }
  })

  it('the config union holds exactly the registered schemas', () => {
    expect(new Set<unknown>(DEVICE_SCHEMAS)).toEqual(new Set(Object.values(ADAPTERS).map((e) => e.configSchema)))
    expect(DEVICE_SCHEMAS).toHaveLength(Object.keys(ADAPTERS).length)
  })

  it("config warnings come from each device's adapter, with the device's path in the file", () => {
    const devices = [
      { id: 'intercom-1', adapter: 'mqtt-ingest', kind: 'access' as const },
      { id: 'cam-1', adapter: 'onvif', kind: 'camera' as const, address: 'http://10.0.0.5', username: 'u' },
    ]
    expect(configWarnings(devices).map((w) => w.path)).toEqual(['devices.1.address'])
  })

  it('an adapter offering linkage creates adapters that take committed events', async () => {
    const linking = Object.entries(ADAPTERS).filter(([, e]) => e.offers.linkage)
    expect(linking.map(([n]) => n)).toEqual(['onvif'])
    const def = await ADAPTERS['onvif']!.load()
    const config = def.configSchema.parse({ id: 'cam-1', adapter: 'onvif', kind: 'camera', address: '127.0.0.1:1', username: 'u', password: 'p' })
    const abort = new AbortController()
    const adapter = def.create!(config, ctx(abort.signal))
    expect(isLinkable(adapter)).toBe(true)
    await adapter.stop()
  })

  it('serves a stored snapshot by id through the adapter that offers snapshots, and nothing for other devices', async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-'))
    await mkdir(join(dir, 'cam-1'))
    await writeFile(join(dir, 'cam-1', '0000000000001-a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]))
    await mkdir(join(dir, 'panel-1'))
    await writeFile(join(dir, 'panel-1', '0000000000001-a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]))
    const devices = [
      { id: 'cam-1', adapter: 'onvif', snapshot: { dir } },
      { id: 'panel-1', adapter: 'contact-id', snapshot: { dir } },
    ]
    expect(await readSnapshot(devices, 'cam-1/0000000000001-a.jpg')).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))
    expect(await readSnapshot(devices, 'panel-1/0000000000001-a.jpg')).toBeUndefined()
    expect(await readSnapshot(devices, 'cam-1/0000000000002-a.jpg')).toBeUndefined()
  })
})
