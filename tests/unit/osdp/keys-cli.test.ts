import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { fingerprint, runKeys } from '../../../shell/keys.js'
import { KeyStore } from '../../../adapters/osdp/key-store.js'

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex')

/** The OSDP example config with its key store in a temp dir. */
function setup(): { dir: string; config: string; store: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pingan-keys-'))
  const store = path.join(dir, 'osdp-keys.json')
  const example = readFileSync(path.join(import.meta.dirname, '../../../config/examples/access-osdp.example.yaml'), 'utf8')
  const config = path.join(dir, 'gateway.yaml')
  writeFileSync(config, example.replaceAll('/var/lib/pingan/osdp-keys.json', store).replaceAll('/var/lib/pingan/journal.db', path.join(dir, 'journal.db')))
  vi.stubEnv('PINGAN_UPLINK_PASSWORD', 'secret-password')
  vi.stubEnv('PINGAN_OSDP_INSTALL_KEY', '303132333435363738393a3b3c3d3e3f')
  return { dir, config, store }
}

async function keys(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runKeys(argv, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('pingan keys', () => {
  it('lists each reader by device and address with its door and a fingerprint, never the key', async () => {
    const { config, store } = setup()
    expect((await keys('list', '--config', config)).out).toMatch(/door-bus-1 1 +door block-a +no key yet/)
    new KeyStore(store).commit('door-bus-1:1', KEY)
    new KeyStore(store).setPending('door-bus-9:4', KEY)
    const { code, out } = await keys('list', '--config', config)
    expect(code).toBe(0)
    expect(out).toContain(`${store} (mode 600)`)
    expect(out).toContain(`door-bus-1 1  door block-a  active ${fingerprint(KEY)}`)
    expect(out).toContain(`door-bus-9 4  not in the config  pending ${fingerprint(KEY)}`)
    expect(out).not.toContain(KEY.toString('hex'))
  })

  it('forgets one reader, so the store (read afresh by a running gateway) offers it the install key', async () => {
    const { config, store } = setup()
    const gatewaySide = new KeyStore(store)
    gatewaySide.commit('door-bus-1:1', KEY)
    gatewaySide.commit('door-bus-1:0', KEY)
    expect(await keys('forget', '--config', config, 'door-bus-1', '1')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^forgot the key of reader 1 of door-bus-1/),
    })
    expect(gatewaySide.get('door-bus-1:1')).toEqual({})
    expect(gatewaySide.get('door-bus-1:0')).toEqual({ active: KEY })
    const again = await keys('forget', '--store', store, 'door-bus-1', '1')
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/holds no key for door-bus-1 1; it holds: door-bus-1 0/) })
  })

  it('says what is wrong with a command line', async () => {
    const { config, store } = setup()
    expect(await keys('list')).toMatchObject({ code: 2, err: expect.stringMatching(/either --config FILE or --store PATH/) })
    expect(await keys('forget', '--store', store, 'door-bus-1', '200')).toMatchObject({ code: 2, err: expect.stringMatching(/OSDP address, 0-126/) })
    expect(await keys('forget', '--config', config, 'no-such-bus', '1')).toMatchObject({ code: 1, err: expect.stringMatching(/no OSDP device "no-such-bus"/) })
    expect(await keys('rotate', '--store', store)).toMatchObject({ code: 2, err: expect.stringMatching(/unknown subcommand "rotate"/) })
    expect(await keys('--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: pingan keys list/) })
  })
})
