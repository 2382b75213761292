import { createHash } from 'node:crypto'
import { statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfigFile } from '../config/load.js'
import { errorMessage } from '../base/errors.js'
import type { OsdpDeviceConfig } from '../adapters/osdp/config.js'
import { KeyStore, keyName, type KeyEntry } from '../adapters/osdp/key-store.js'

const USAGE = `usage: pingan keys list   (--config FILE | --store PATH)
       pingan keys forget (--config FILE | --store PATH) DEVICE ADDR

The OSDP readers' secure channel keys (SCBK), one entry per reader named DEVICE:ADDR (the device's
config id and the reader's OSDP address). Keys are never printed, only a fingerprint.

  list     every stored key, and every secure reader of the config with none yet
  forget   drop the stored key of one reader: at its next handshake the gateway offers it the
           install key and gives it a new key (KEYSET). For a reader that was replaced or reset
           to factory keys; a running gateway picks it up at its next retry.

  -c, --config FILE   the gateway's configuration: every OSDP device's keyStorePath
  -s, --store PATH    one key store file`

/** Where the command writes; the CLI passes the console, tests collect the lines. */
export interface KeysIo {
  out(line: string): void
  err(line: string): void
}

const CONSOLE: KeysIo = { out: (l) => console.log(l), err: (l) => console.error(l) }

/** A key's identity without the key: the first 8 hex digits of its SHA-256. */
export function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}

interface Store {
  path: string
  /** The OSDP devices (from the config) keeping their keys here. */
  devices: OsdpDeviceConfig[]
}

function storesOf(values: { config?: string | undefined; store?: string | undefined }): Store[] {
  if (values.store) return [{ path: values.store, devices: [] }]
  const config = loadConfigFile(values.config!)
  const byPath = new Map<string, Store>()
  for (const d of config.devices) {
    if (d.adapter !== 'osdp' || d.keyStorePath === undefined) continue
    const s = byPath.get(d.keyStorePath) ?? { path: d.keyStorePath, devices: [] }
    s.devices.push(d)
    byPath.set(d.keyStorePath, s)
  }
  return [...byPath.values()]
}

function describe(e: KeyEntry): string {
  const parts: string[] = []
  if (e.active) parts.push(`active ${fingerprint(e.active)}`)
  if (e.pending) parts.push(`pending ${fingerprint(e.pending)} (KEYSET sent, not yet confirmed)`)
  return parts.join(', ')
}

function list(stores: Store[], io: KeysIo): number {
  if (stores.length === 0) io.out('no OSDP device in this config has a keyStorePath')
  for (const s of stores) {
    const entries = new KeyStore(s.path).list()
    const stored = new Set(entries.map((e) => e.name))
    const mode = entries.length > 0 ? ` (mode ${(statSync(s.path).mode & 0o777).toString(8)})` : ''
    io.out(`${s.path}${mode}`)
    const doors = new Map(s.devices.flatMap((d) => d.readers.map((r) => [keyName(d.id, r.address), r.door] as const)))
    for (const e of entries) {
      const door = doors.get(e.name)
      io.out(`  ${e.device} ${e.address}  ${door ? `door ${door}` : s.devices.length > 0 ? 'not in the config' : ''}  ${describe(e)}`.replace(/ {3,}/g, '  '))
    }
    for (const d of s.devices) {
      for (const r of d.readers) {
        if (r.secureChannel && !stored.has(keyName(d.id, r.address)))
          io.out(`  ${d.id} ${r.address}  door ${r.door}  no key yet: given one through the install key at its next handshake`)
      }
    }
    if (entries.length === 0 && s.devices.every((d) => !d.readers.some((r) => r.secureChannel))) io.out('  (empty)')
  }
  return 0
}

function forget(stores: Store[], device: string, addr: string, io: KeysIo): number {
  const address = Number(addr)
  if (!Number.isInteger(address) || address < 0 || address > 126) {
    io.err(`pingan keys forget: ADDR must be the reader's OSDP address, 0-126 (got "${addr}")`)
    return 2
  }
  // With a config, the device's own store; with --store, that file.
  const store = stores.find((s) => s.devices.length === 0 || s.devices.some((d) => d.id === device))
  if (!store) {
    io.err(`pingan keys forget: no OSDP device "${device}" with a keyStorePath in this config`)
    return 1
  }
  const ks = new KeyStore(store.path)
  const name = keyName(device, address)
  if (!ks.forget(name)) {
    const names = ks.list().map((e) => `${e.device} ${e.address}`)
    io.err(`pingan keys forget: ${store.path} holds no key for ${device} ${address}${names.length ? `; it holds: ${names.join(', ')}` : ' (it is empty)'}`)
    return 1
  }
  io.out(`forgot the key of reader ${address} of ${device} in ${store.path}: its next handshake offers the install key, then gives it a new key`)
  return 0
}

function parseKeysArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, store: { type: 'string', short: 's' }, help: { type: 'boolean', short: 'h' } },
  })
}

/** `pingan keys ...`; returns the exit code. */
export async function runKeys(argv: string[], io: KeysIo = CONSOLE): Promise<number> {
  let parsed: ReturnType<typeof parseKeysArgs>
  try {
    parsed = parseKeysArgs(argv)
  } catch (err) {
    io.err(`pingan keys: ${errorMessage(err).split('. ')[0]}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    io.out(USAGE)
    return 0
  }
  const [verb, ...args] = positionals
  const usage = (why: string): number => {
    io.err(`pingan keys: ${why}\n\n${USAGE}`)
    return 2
  }
  if (verb !== 'list' && verb !== 'forget') return usage(verb === undefined ? 'say list or forget' : `unknown subcommand "${verb}"`)
  if ((values.config === undefined) === (values.store === undefined)) return usage('give either --config FILE or --store PATH')
  const stores = storesOf(values)
  if (verb === 'list') return args.length === 0 ? list(stores, io) : usage('list takes no arguments')
  if (args.length !== 2) return usage('forget takes DEVICE and ADDR')
  return forget(stores, args[0]!, args[1]!, io)
}
