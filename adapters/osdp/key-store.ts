import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { ConfigError, errorMessage } from '../../base/errors.js'

/**
 * Where each reader's secure channel base key (SCBK) is kept: a small JSON file beside the
 * journal, mode 0600, replaced atomically. A new key is written as `pending` before KEYSET goes
 * out and promoted to `active` once the reader acknowledges it, so a crash in between never
 * leaves us without the key the reader now holds.
 */
const HEX_KEY = z.string().regex(/^[0-9a-f]{32}$/)
const StoreSchema = z.object({
  version: z.literal(1),
  readers: z.record(z.string(), z.object({ active: HEX_KEY.optional(), pending: HEX_KEY.optional() })),
})
type StoreFile = z.infer<typeof StoreSchema>

export interface ReaderKeys {
  active?: Buffer
  pending?: Buffer
}

/** What the control panel needs from a key store; `KeyStore` keeps it in a file. */
export interface ReaderKeyStore {
  get(reader: string): ReaderKeys
  setPending(reader: string, key: Buffer): void
  /** Promotes the pending key (or `key`) to active. */
  commit(reader: string, key: Buffer): void
}

/** One reader's entry, as `pingan keys list` shows it. */
export interface KeyEntry {
  /** The entry's name: `DEVICE:ADDRESS`, the device's config id and the reader's OSDP address. */
  name: string
  device: string
  address: number
  active?: Buffer
  pending?: Buffer
}

/** The store's name for one reader (see the README's "OSDP key store"). */
export function keyName(device: string, address: number): string {
  return `${device}:${address}`
}

/**
 * The store in its file. Every read goes to the file and every change is read-modify-write, so
 * `pingan keys forget` takes effect at the reader's next handshake while the gateway runs.
 */
export class KeyStore implements ReaderKeyStore {
  constructor(private readonly path: string) {
    KeyStore.read(path)
  }

  private static read(path: string): StoreFile {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, readers: {} }
      throw err
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (err) {
      throw notAStore(path, `not JSON (${errorMessage(err)})`)
    }
    const parsed = StoreSchema.safeParse(json)
    if (!parsed.success) throw notAStore(path, 'not in the key store format')
    return parsed.data
  }

  get(reader: string): ReaderKeys {
    const r = KeyStore.read(this.path).readers[reader]
    const out: ReaderKeys = {}
    if (r?.active) out.active = Buffer.from(r.active, 'hex')
    if (r?.pending) out.pending = Buffer.from(r.pending, 'hex')
    return out
  }

  setPending(reader: string, key: Buffer): void {
    this.update((d) => {
      d.readers[reader] = { ...d.readers[reader], pending: key.toString('hex') }
    })
  }

  commit(reader: string, key: Buffer): void {
    this.update((d) => {
      d.readers[reader] = { active: key.toString('hex') }
    })
  }

  /** Every entry, sorted by name. */
  list(): KeyEntry[] {
    return Object.entries(KeyStore.read(this.path).readers)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, r]) => {
        // A device id has no ':' (IdSchema), so the address is what follows the last one.
        const at = name.lastIndexOf(':')
        const e: KeyEntry = { name, device: name.slice(0, at), address: Number(name.slice(at + 1)) }
        if (r.active) e.active = Buffer.from(r.active, 'hex')
        if (r.pending) e.pending = Buffer.from(r.pending, 'hex')
        return e
      })
  }

  /** Drops a reader's keys: its next handshake offers the install key. False when it had none. */
  forget(reader: string): boolean {
    let had = false
    this.update((d) => {
      had = Object.hasOwn(d.readers, reader)
      delete d.readers[reader]
    })
    return had
  }

  private update(change: (d: StoreFile) => void): void {
    const data = KeyStore.read(this.path)
    change(data)
    mkdirSync(dirname(this.path), { recursive: true })
    // One temporary file per process: the gateway and `pingan keys` may write at the same moment.
    const tmp = `${this.path}.${process.pid}.tmp`
    // fsync before the rename: the reader may hold this key a moment later, and a power cut
    // must not leave an empty file behind.
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, `${JSON.stringify(data, null, 2)}\n`)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    chmodSync(tmp, 0o600)
    renameSync(tmp, this.path)
  }
}

function notAStore(path: string, why: string): ConfigError {
  return new ConfigError(
    [
      {
        path: 'keyStorePath',
        message: `${path} is not an OSDP key store: ${why}`,
        fix: 'restore it from backup or move it aside (readers must then be reset to the install key)',
      },
    ],
    path,
  )
}
