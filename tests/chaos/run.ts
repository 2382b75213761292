import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { SCENARIOS, type Mode } from './scenarios/index.js'

const USAGE = `npm run chaos -- [SCENARIO ...] [options]

Fault injection against the real gateway process; each scenario ends with the history checker.
Scenarios: ${Object.keys(SCENARIOS).join(', ')} (default: all)

  --quick          a few runs of each (minutes), instead of the full counts (an hour or more)
  --runs N         runs (or iterations) per scenario, overriding the mode's count
  --seed S         base seed (default 1); each run's seed derives from it and the run's index
  --from N         start at run index N (replay run 10 of seed 1: --seed 1 --from 10 --runs 1)
  --budget-min M   stop starting new runs after M minutes (default 20 quick, 240 full)
  --json FILE      write every run's figures as JSON (for RELIABILITY.md)`

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      seed: { type: 'string', default: '1' },
      from: { type: 'string', default: '0' },
      'budget-min': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return console.log(USAGE)
  const names = positionals.length ? positionals : Object.keys(SCENARIOS)
  for (const n of names) if (!(n in SCENARIOS)) throw new Error(`unknown scenario "${n}"; known: ${Object.keys(SCENARIOS).join(', ')}`)
  const mode: Mode = values.quick ? 'quick' : 'full'
  const budgetMs = Number(values['budget-min'] ?? (values.quick ? 20 : 240)) * 60_000
  const seed = Number(values.seed)
  const runs = values.runs === undefined ? undefined : Number(values.runs)
  const out: Record<string, unknown> = {}
  let failed = false
  for (const name of names) {
    const started = Date.now()
    console.log(`== ${name} (${mode}, seed ${seed})`)
    const r = await SCENARIOS[name]!({ mode, seed, runs, from: Number(values.from), stopAt: started + budgetMs, log: (l) => console.log(l) })
    console.log(`== ${name}: ${r.summary} (${Math.round((Date.now() - started) / 1000)} s)`)
    out[name] = r.figures
    failed ||= !r.ok
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 2))
  process.exitCode = failed ? 1 : 0
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 2
})
