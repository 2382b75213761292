import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../base/log.js'

const ROOT = resolve(import.meta.dirname, '../../..')
const SOURCE_DIRS = ['gateway', 'adapters', 'cloud-bridge', 'simulators', 'config']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

describe('errors in logs', () => {
  it('keep the stack, the code and the cause chain', () => {
    const lines: string[] = []
    const log = createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk))
          done()
        },
      }),
    })
    const root = new Error('EIO: i/o error, fsync')
    const err = Object.assign(new Error('journal commit failed', { cause: root }), { code: 'PINGAN_JOURNAL' })
    log.error({ err, device: 'panel-1' }, 'cannot record')
    const line = JSON.parse(lines[0]!) as { err: { message: string; stack: string; code?: string } }
    expect(line.err.message).toBe('journal commit failed: EIO: i/o error, fsync')
    expect(line.err.code).toBe('PINGAN_JOURNAL')
    expect(line.err.stack).toContain('log-errors.test.ts')
    expect(line.err.stack).toContain('caused by: Error: EIO: i/o error, fsync')
  })

  it('are logged as objects in every source file, not flattened to their message', () => {
    const offenders: string[] = []
    for (const dir of SOURCE_DIRS) {
      for (const file of sources(join(ROOT, dir))) {
        readFileSync(file, 'utf8')
          .split('\n')
          .forEach((text, i) => {
            if (/\berr: errorMessage\(/.test(text)) offenders.push(`${relative(ROOT, file)}:${i + 1}`)
          })
      }
    }
    expect(offenders).toEqual([])
  })
})
