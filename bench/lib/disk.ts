import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { nowMs, percentile, round } from './stats.js'

/**
 * The disk's own floor for a durable commit: a 4 KiB append followed by `fdatasync`, as SQLite does
 * to its WAL at every commit with `synchronous=FULL`, timed `samples` times in `dir` (the same file
 * system as the journal). No event can be durable, and so acknowledged, sooner than this.
 */
export function fsyncFloor(dir: string, samples = 500): { p50: number; p99: number } {
  const file = join(dir, 'fsync-floor')
  const fd = openSync(file, 'w')
  const page = Buffer.alloc(4096, 1)
  const took: number[] = []
  try {
    for (let i = 0; i < samples; i++) {
      const t0 = nowMs()
      writeSync(fd, page, 0, page.length, i * page.length)
      fdatasyncSync(fd)
      took.push(nowMs() - t0)
    }
  } finally {
    closeSync(fd)
    rmSync(file, { force: true })
  }
  return { p50: round(percentile(took, 50)), p99: round(percentile(took, 99)) }
}
