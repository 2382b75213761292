import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'

/**
 * `npm run bench [-- NAME...]`: runs the benchmarks (all by default), prints each figure, and writes
 * bench/results/NAME.json with the machine it ran on. BENCHMARKS.md quotes these files.
 */
const ALL = ['spine', 'contact-id', 'modbus', 'osdp', 'onvif', 'dc09', 'console', 'api']
type Bench = { run(log: (line: string) => void): Promise<Record<string, number | string>> }

function machine(): Record<string, string | number> {
  const cpu = cpus()[0]?.model ?? 'unknown'
  let kernel = ''
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()
  } catch {
    /* not Linux */
  }
  return { cpu, cores: cpus().length, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version, kernel, at: new Date().toISOString() }
}

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL
const outDir = join(process.cwd(), 'bench', 'results')
mkdirSync(outDir, { recursive: true })
const m = machine()
console.log(`machine: ${JSON.stringify(m)}`)
let failed = 0
for (const name of names) {
  const file = join(import.meta.dirname, `${name}.js`)
  if (!existsSync(file)) {
    console.log(`${name}: no benchmark`)
    continue
  }
  console.log(`\n== ${name}`)
  try {
    const bench = (await import(file)) as Bench
    const results = await bench.run((line) => console.log(`  ${line}`))
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ machine: m, results }, null, 1)}\n`)
    for (const [k, v] of Object.entries(results)) console.log(`  ${k}: ${v}`)
  } catch (err) {
    failed++
    console.error(`${name} failed: ${err instanceof Error ? err.stack : String(err)}`)
  }
}
process.exitCode = failed > 0 ? 1 : 0
