import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { SCENARIOS, type Mode } from './scenarios/index.js'

const USAGE = `npm run chaos -- [SCENARIO ...] [options]

Fault injection against the real gateway process; each scenario ends with the history checker.
Scenarios: ${Object.keys(SCENARIOS).join(', ')} (default: all)

  --quick          a few runs of each, instead of the full counts
  --runs N         runs (or iterations) per scenario, overriding the mode's count
  --seed S         base seed (default 1); each run's seed derives from it and the run's index
  --from N         start at run index N (replay run 10 of seed 1: --seed 1 --from 10 --runs 1)
  --budget-min M   the whole run's time budget (default 5 quick, 30 full), shared out among the
                   scenarios: each stops starting runs (fuzz: cases) once its share is spent
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
  const budgetMs = Number(values['budget-min'] ?? (values.quick ? 5 : 30)) * 60_000
  const endAt = Date.now() + budgetMs
  const seed = Number(values.seed)
  const runs = values.runs === undefined ? undefined : Number(values.runs)
  const out: Record<string, unknown> = {}
  let failed = false
  for (const [i, name] of names.entries()) {
    const started = Date.now()
    // What is left of the budget, shared out among the scenarios still to run.
    const stopAt = started + Math.max(0, endAt - started) / (names.length - i)
    console.log(`== ${name} (${mode}, seed ${seed})`)
    const r = await SCENARIOS[name]!({ mode, seed, runs, from: Number(values.from), stopAt, log: (l) => console.log(l) })
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
