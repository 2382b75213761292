import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real, small file system (tmpfs) for tests that must fill a disk. Needs root. */
export interface SmallFs {
  dir: string
  /** Writes a file until the disk refuses (ENOSPC): another program filling the disk. */
  fill(): void
  /** Removes what `fill` wrote. */
  unfill(): void
  /** Removes every file: the next test starts on an empty disk. */
  clear(): void
  unmount(): void
}

/** Why a tmpfs cannot be mounted here, or undefined when it can (checked by mounting one). */
export function smallFsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: mounting a small tmpfs needs root'
  let fs: SmallFs | undefined
  try {
    fs = mountSmallFs(64 * 1024)
    return undefined
  } catch (err) {
    return `mount -t tmpfs failed: ${(err as Error).message.split('\n')[0]}`
  } finally {
    fs?.unmount()
  }
}

export function mountSmallFs(bytes: number): SmallFs {
  const dir = mkdtempSync(join(tmpdir(), 'small-fs-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const filler = join(dir, 'filler')
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a')
      const chunk = Buffer.alloc(4096)
      try {
        for (;;) writeSync(fd, chunk)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
      } finally {
        closeSync(fd)
      }
    },
    unfill() {
      unlinkSync(filler)
    },
    clear() {
      for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true })
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' })
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
