import { mkdir, readFile, readdir, stat, unlink, writeFile, rename } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * JPEGs on disk, one directory per camera, bounded by total bytes and age. A snapshot's id is
 * "<camera>/<name>": what events carry in `attrs.snapshot.id` and what the API serves.
 */

const NAME_RE = /^[0-9]{13}-[0-9a-z]{1,8}\.jpg$/
const ID_RE = /^([A-Za-z0-9_-]{1,64})\/([0-9]{13}-[0-9a-z]{1,8}\.jpg)$/

export interface StoredSnapshot {
  id: string
  bytes: number
  takenAt: string
}

interface Entry {
  name: string
  bytes: number
  at: number
}

export interface SnapshotStoreOptions {
  /** The snapshot root (config `snapshot.dir`); this camera writes to `<root>/<camera>/`. */
  root: string
  camera: string
  maxBytes: number
  maxAgeMs: number
  now(): number
}

export class SnapshotStore {
  private entries: Entry[] = []
  private total = 0
  private seq = 0
  private readonly dir: string

  constructor(private readonly o: SnapshotStoreOptions) {
    this.dir = join(o.root, o.camera)
  }

  /** Creates the directory and indexes what an earlier run left there. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const names = (await readdir(this.dir)).filter((n) => NAME_RE.test(n))
    for (const name of names) {
      const s = await stat(join(this.dir, name)).catch(() => undefined)
      if (s) this.entries.push({ name, bytes: s.size, at: Number(name.slice(0, 13)) })
    }
    this.entries.sort((a, b) => a.at - b.at)
    this.total = this.entries.reduce((n, e) => n + e.bytes, 0)
    await this.prune()
  }

  /** Writes a JPEG (atomically: temp file, then rename) and trims the oldest beyond the caps. */
  async put(jpeg: Buffer): Promise<StoredSnapshot> {
    const at = this.o.now()
    const name = `${String(at).padStart(13, '0')}-${(this.seq++ % 36 ** 4).toString(36)}.jpg`
    const file = join(this.dir, name)
    await writeFile(`${file}.tmp`, jpeg)
    await rename(`${file}.tmp`, file)
    this.entries.push({ name, bytes: jpeg.length, at })
    this.total += jpeg.length
    await this.prune()
    return { id: `${this.o.camera}/${name}`, bytes: jpeg.length, takenAt: new Date(at).toISOString() }
  }

  get usedBytes(): number {
    return this.total
  }
  get count(): number {
    return this.entries.length
  }

  private async prune(): Promise<void> {
    const oldest = this.o.now() - this.o.maxAgeMs
    while (this.entries.length > 0) {
      const e = this.entries[0]!
      // Keep the newest file even when it alone exceeds the cap: the event that references it is fresh.
      if (!(e.at < oldest || (this.total > this.o.maxBytes && this.entries.length > 1))) break
      this.entries.shift()
      this.total -= e.bytes
      await unlink(join(this.dir, e.name)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
      })
    }
  }
}

/** The file of a snapshot id under `root`, or undefined for an id that is not one of ours (no path tricks). */
export function snapshotFile(root: string, id: string): string | undefined {
  const m = ID_RE.exec(id)
  return m ? join(root, m[1]!, m[2]!) : undefined
}

/** Reads a stored snapshot; undefined when the id is malformed or the file has aged out. */
export async function readSnapshot(root: string, id: string): Promise<Buffer | undefined> {
  const file = snapshotFile(root, id)
  if (!file) return undefined
  try {
    return await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * For the API: finds the camera named in the id among the configured devices and reads the JPEG
 * from that camera's snapshot directory.
 */
export async function readStoredSnapshot(
  devices: ReadonlyArray<{ id: string; adapter: string; snapshot?: { dir: string } }>,
  id: string,
): Promise<Buffer | undefined> {
  const camera = ID_RE.exec(id)?.[1]
  const device = devices.find((d) => d.adapter === 'onvif' && d.id === camera)
  return device?.snapshot ? readSnapshot(device.snapshot.dir, id) : undefined
}
