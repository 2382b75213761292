import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { ConfigError } from '../../gateway/errors.js'

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

export class KeyStore implements ReaderKeyStore {
  private data: StoreFile

  constructor(private readonly path: string) {
    this.data = KeyStore.read(path)
  }

  private static read(path: string): StoreFile {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, readers: {} }
      throw err
    }
    const parsed = StoreSchema.safeParse(JSON.parse(text))
    if (!parsed.success) {
      throw new ConfigError([{ path: 'keyStorePath', message: `${path} is not an OSDP key store`, fix: 'restore it from backup or move it aside (readers must then be reset to the install key)' }], path)
    }
    return parsed.data
  }

  get(reader: string): ReaderKeys {
    const r = this.data.readers[reader]
    const out: ReaderKeys = {}
    if (r?.active) out.active = Buffer.from(r.active, 'hex')
    if (r?.pending) out.pending = Buffer.from(r.pending, 'hex')
    return out
  }

  setPending(reader: string, key: Buffer): void {
    this.data.readers[reader] = { ...this.data.readers[reader], pending: key.toString('hex') }
    this.write()
  }

  commit(reader: string, key: Buffer): void {
    this.data.readers[reader] = { active: key.toString('hex') }
    this.write()
  }

  private write(): void {
    mkdirSync(dirname(this.path), { recursive: true })
    const tmp = `${this.path}.tmp`
    // fsync before the rename: the reader may hold this key a moment later, and a power cut
    // must not leave an empty file behind.
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, JSON.stringify(this.data, null, 2) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    chmodSync(tmp, 0o600)
    renameSync(tmp, this.path)
  }
}
