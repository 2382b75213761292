import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const VECTORS = resolve(import.meta.dirname, '../../vectors')

/** Fields of the vector files that hold a frame, and how their text becomes bytes. */
const FIELDS: Record<string, BufferEncoding> = { hex: 'hex', rtu: 'hex', xml: 'utf8', line: 'latin1', frame: 'latin1' }

function walk(value: unknown, out: Buffer[]): void {
  if (Array.isArray(value)) for (const v of value) walk(v, out)
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const enc = FIELDS[k]
      if (enc && typeof v === 'string' && (enc !== 'hex' || /^([0-9a-fA-F]{2})+$/.test(v))) out.push(Buffer.from(v, enc))
      else walk(v, out)
    }
  }
}

/** Every frame in `tests/vectors/<protocol>/*.json`: the seeds the fuzzer mutates. */
export function vectorCorpus(protocol: string): Buffer[] {
  const dir = join(VECTORS, protocol)
  const out: Buffer[] = []
  for (const f of readdirSync(dir)) {
    const p = join(dir, f)
    if (f.endsWith('.json') && statSync(p).isFile()) walk(JSON.parse(readFileSync(p, 'utf8')), out)
  }
  if (out.length === 0) throw new Error(`no frames found in ${dir}`)
  return out
}
