#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { loadConfigFile, loadDemoConfig } from '../config/load.js'
import { formatProblems } from '../config/problems.js'
import { configWarnings } from '../adapters/registry.js'
import { apiWarnings } from '../config/api.js'
import { dc09CheckReport } from '../cloud-bridge/uplinks/dc09/check.js'
import { metricsCheckReport } from '../gateway/metrics/check.js'
import { ConfigError, errorMessage } from '../base/errors.js'
import { createLogger } from '../base/log.js'
import { hashPassword } from '../gateway/broker/passwords.js'
import { SIMULATORS } from '../simulators/registry.js'

/**
 * One subcommand: its usage line, the help `pingan VERB --help` prints, and what it does.
 * `ownHelp`: the verb parses its own options and prints its own `--help`.
 */
interface Verb {
  usage: string
  summary: string
  help?: string
  ownHelp?: boolean
  run(argv: string[]): Promise<number> | number
}

/** A wrong command line: printed with the verb's usage, exit code 2. */
class UsageError extends Error {}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

function parseVerbArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    // node's own text goes on about '--' after its first sentence: the usage below says more.
    throw new UsageError(errorMessage(err).split('. ')[0]!)
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, { config: { type: 'string', short: 'c' } })
  if (positionals.length > 0) {
    throw new UsageError(`the config file is given with --config: pingan run --config ${positionals[0]}`)
  }
  const file = values.config
  const config = file ? loadConfigFile(file) : loadDemoConfig()
  const log = createLogger({ level: config.log.level })
  if (!file) log.warn('no --config given: running the embedded demo config')
  const { startGateway } = await import('../gateway/main.js')
  const { faultsFromEnv } = await import('../base/faults.js')
  const faults = faultsFromEnv(process.env)
  if (process.env['PINGAN_FAULT'])
    log.warn({ fault: process.env['PINGAN_FAULT'] }, 'PINGAN_FAULT is set: a fault will be injected (fault-injection suite only)')
  const gateway = await startGateway(config, { log, faults })
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })
  await gateway.stop()
  log.flush()
  return 0
}

function check(argv: string[]): number {
  const { positionals } = parseVerbArgs(argv, {})
  const [file, extra] = positionals
  if (!file) throw new UsageError('give the config file to check')
  if (extra !== undefined) throw new UsageError(`one file at a time ("${extra}" is extra)`)
  const config = loadConfigFile(file)
  console.log(`${file}: ok (site ${config.site.id}, ${config.devices.length} devices, ${config.uplinks.length} uplinks)`)
  const warnings = [...configWarnings(config.devices), ...apiWarnings(config.api)]
  for (const [i, u] of config.uplinks.entries()) {
    if (u.type !== 'dc09') continue
    const r = dc09CheckReport(u, config.devices, `uplinks.${i}`)
    for (const line of r.info) console.log(line)
    warnings.push(...r.warnings)
  }
  const m = metricsCheckReport(config)
  for (const line of m.info) console.log(line)
  warnings.push(...m.warnings)
  if (warnings.length > 0) console.warn(`${file}: warnings\n${formatProblems(warnings)}`)
  return 0
}

async function sim(argv: string[]): Promise<number> {
  const [name, ...simArgs] = argv
  const s = name ? SIMULATORS[name] : undefined
  if (!s) {
    console.error(
      `usage: pingan sim NAME; NAME is one of:\n${Object.entries(SIMULATORS)
        .map(([n, x]) => `  ${n.padEnd(10)} ${x.summary}`)
        .join('\n')}`,
    )
    return 2
  }
  await (await s.load()).runCli(simArgs)
  return 0
}

async function hashPasswordVerb(argv: string[]): Promise<number> {
  parseVerbArgs(argv, {})
  const pw = await readStdin()
  if (pw.length < 8) {
    console.error('the password must have at least 8 characters')
    return 2
  }
  console.log(await hashPassword(pw))
  return 0
}

/** Every subcommand, in the order the usage lists them. Adding one is adding an entry. */
const VERBS: Record<string, Verb> = {
  run: {
    usage: 'pingan run [--config FILE]',
    summary: 'run the gateway (the embedded demo config when no file is given)',
    help: `  -c, --config FILE   the configuration (YAML); check it first with pingan check FILE
Stops cleanly on SIGTERM or Ctrl-C: intake first, then what is in flight to the platform.`,
    run,
  },
  check: {
    usage: 'pingan check FILE',
    summary: 'validate a config file; print every problem with its path and a fix',
    help: 'Exits 0 when the file is valid, 1 with every problem listed when it is not.',
    run: check,
  },
  demo: {
    usage: 'pingan demo [--duration S]',
    summary: 'platform simulator + gateway + device simulators, end to end',
    ownHelp: true,
    run: async (argv) => (await import('./demo.js')).runDemo(argv),
  },
  sim: {
    usage: 'pingan sim NAME [options]',
    summary: `run a simulator (${Object.keys(SIMULATORS).join(', ')}); NAME --help for its options`,
    ownHelp: true,
    run: sim,
  },
  discover: {
    usage: 'pingan discover [options]',
    summary: 'find ONVIF cameras on the LAN (WS-Discovery) and check their credentials',
    ownHelp: true,
    run: async (argv) => {
      await (await import('./discover.js')).runDiscover(argv)
      return 0
    },
  },
  keys: {
    usage: 'pingan keys list|forget ...',
    summary: "the OSDP readers' secure channel keys: list them, or forget one so the reader is keyed anew",
    ownHelp: true,
    run: async (argv) => (await import('./keys.js')).runKeys(argv),
  },
  'hash-password': {
    usage: 'pingan hash-password',
    summary: 'read a password on stdin, print its scrypt hash for broker.users',
    run: hashPasswordVerb,
  },
}

const USAGE = `pingan: the compound's edge gateway

${Object.values(VERBS)
  .map((v) => `  ${v.usage.padEnd(30)}  ${v.summary}`)
  .join('\n')}

  ${'pingan COMMAND --help'.padEnd(30)}  what a command takes`

function verbHelp(v: Verb): string {
  return `usage: ${v.usage}\n\n${v.summary[0]!.toUpperCase()}${v.summary.slice(1)}.${v.help ? `\n${v.help}` : ''}`
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE)
    return name === undefined ? 2 : 0
  }
  const verb = Object.hasOwn(VERBS, name) ? VERBS[name] : undefined
  if (!verb) {
    console.error(`pingan: unknown command "${name}"\n\n${USAGE}`)
    return 2
  }
  if (!verb.ownHelp && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(verbHelp(verb))
    return 0
  }
  try {
    return await verb.run(rest)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    console.error(`pingan ${name}: ${err.message}\n\n${verbHelp(verb)}`)
    return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(`${err.source}: the configuration has ${err.problems.length} problem(s):\n${formatProblems(err.problems)}`)
      process.exitCode = 1
      return
    }
    console.error(`pingan: ${errorMessage(err)}`)
    process.exitCode = 1
  },
)
