import { closeSync, existsSync, openSync, statSync, statfsSync, unlinkSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from '../../base/log.js'

const CHUNK = 1024 * 1024

/** Size of a file, 0 when it does not exist. */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0 // absent: nothing held
  }
}

/** Free bytes (for an unprivileged writer) on the file system holding `path`. */
export function freeBytes(path: string): number {
  const s = statfsSync(dirname(path))
  return s.bavail * s.bsize
}

/**
 * A pre-allocated file beside the journal. A WAL database that has filled the disk cannot even
 * delete (deletes need log space); releasing this file gives SQLite the room to checkpoint and evict.
 */
export class SpareFile {
  private warned = false

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {}

  get held(): number {
    return this.path.startsWith(':memory:') ? 0 : fileBytes(this.path)
  }

  /** Allocates the file (if absent) with `bytes` of zeros; a disk too small for it is logged once. */
  ensure(bytes: number): void {
    if (bytes <= 0 || this.path.startsWith(':memory:') || existsSync(this.path)) return
    let fd: number | undefined
    try {
      fd = openSync(this.path, 'w', 0o600)
      const zeros = Buffer.alloc(Math.min(CHUNK, bytes))
      for (let left = bytes; left > 0; left -= zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, left))
      closeSync(fd)
      this.warned = false
    } catch (err) {
      if (fd !== undefined) closeSync(fd)
      try {
        unlinkSync(this.path)
      } catch {
        /* a partial file is better gone; absent is fine */
      }
      if (!this.warned) this.log.warn({ path: this.path, bytes, err }, 'cannot allocate the journal spare file; free disk space')
      this.warned = true
    }
  }

  release(): void {
    try {
      if (existsSync(this.path)) {
        unlinkSync(this.path)
        this.log.warn({ path: this.path }, 'journal spare file released')
      }
    } catch (err) {
      this.log.error({ path: this.path, err }, 'cannot release the journal spare file')
    }
  }
}
