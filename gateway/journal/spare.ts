import { closeSync, existsSync, openSync, unlinkSync, writeSync } from 'node:fs'
import type { Logger } from '../log.js'
import { errorMessage } from '../errors.js'

const CHUNK = 1024 * 1024

/**
 * A pre-allocated file beside the journal. A WAL database that has filled the disk cannot even
 * delete (deletes need log space); releasing this file gives SQLite the room to evict and checkpoint.
 */
export class SpareFile {
  constructor(
    private readonly path: string,
    private readonly bytes: number,
    private readonly log: Logger,
  ) {}

  ensure(): void {
    if (this.bytes <= 0 || this.path.startsWith(':memory:') || existsSync(this.path)) return
    let fd: number | undefined
    try {
      fd = openSync(this.path, 'w', 0o600)
      const zeros = Buffer.alloc(Math.min(CHUNK, this.bytes))
      for (let left = this.bytes; left > 0; left -= zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, left))
    } catch (err) {
      this.log.warn({ path: this.path, err: errorMessage(err) }, 'cannot allocate the journal spare file')
      if (fd !== undefined) closeSync(fd)
      fd = undefined
      try { unlinkSync(this.path) } catch { /* nothing was written */ }
      return
    }
    closeSync(fd)
  }

  release(): void {
    try {
      if (existsSync(this.path)) {
        unlinkSync(this.path)
        this.log.warn({ path: this.path }, 'journal spare file released')
      }
    } catch (err) {
      this.log.error({ path: this.path, err: errorMessage(err) }, 'cannot release the journal spare file')
    }
  }
}
