import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')

function pingan(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway/cli.ts'), ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
    if (input !== undefined) child.stdin!.end(input)
  })
}

describe('pingan CLI', () => {
  it('check prints every problem with its path and a fix, and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'version: 1\nsite: { id: "a b", name: X }\njournal: { path: j.db, maxRowz: 1 }\ndevices:\n  - { id: d, adapter: mqtt-ingest, kind: weather }\n')
    const r = await pingan(['check', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('site.id:')
    expect(r.stderr).toContain('journal: Unrecognized key: "maxRowz"')
    expect(r.stderr).toMatch(/devices\.0\.kind: .*\n\s+fix: use one of: "alarm"/)
    const good = join(dir, 'good.yaml')
    writeFileSync(good, 'version: 1\nsite: { id: ab, name: X }\njournal: { path: j.db }\n')
    const ok = await pingan(['check', good])
    expect(ok).toMatchObject({ code: 0 })
    expect(ok.stdout).toContain('ok (site ab, 0 devices, 0 uplinks)')
  })

  it('hash-password prints an scrypt hash the broker accepts', async () => {
    const r = await pingan(['hash-password'], 'a long password\n')
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/)
  })

  it('an unknown verb prints the usage and exits 2', async () => {
    const r = await pingan(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('pingan check FILE')
  })
})
