#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { loadConfigFile, loadDemoConfig } from '../config/load.js'
import { formatProblems } from '../config/problems.js'
import { ConfigError, errorMessage } from './errors.js'
import { createLogger } from './log.js'
import { hashPassword } from './broker/passwords.js'
import { SIMULATORS } from '../simulators/registry.js'

const USAGE = `pingan: the compound's edge gateway

  pingan run [--config FILE]      run the gateway (the embedded demo config when no file is given)
  pingan check FILE               validate a config file; print every problem with its path and a fix
  pingan demo [--duration S]      platform simulator + gateway + device simulators, end to end
  pingan sim NAME [options]       run a simulator (${Object.keys(SIMULATORS).join(', ')}); NAME --help for its options
  pingan discover [options]       find ONVIF cameras on the LAN (WS-Discovery) and check their credentials
  pingan hash-password            read a password on stdin, print its scrypt hash for broker.users`

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } })
  const config = values.config ? loadConfigFile(values.config) : loadDemoConfig()
  const log = createLogger({ level: config.log.level })
  if (!values.config) log.warn('no --config given: running the embedded demo config')
  const { startGateway } = await import('./main.js')
  const gateway = await startGateway(config, { log })
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })
  await gateway.stop()
  log.flush()
  return 0
}

function check(argv: string[]): number {
  const file = argv[0]
  if (!file) {
    console.error('usage: pingan check FILE')
    return 2
  }
  const config = loadConfigFile(file)
  console.log(`${file}: ok (site ${config.site.id}, ${config.devices.length} devices, ${config.uplinks.length} uplinks)`)
  return 0
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  switch (verb) {
    case 'run':
      return run(rest)
    case 'check':
      return check(rest)
    case 'demo':
      return (await import('./demo.js')).runDemo(rest)
    case 'sim': {
      const [name, ...simArgs] = rest
      const sim = name ? SIMULATORS[name] : undefined
      if (!sim) {
        console.error(`usage: pingan sim NAME; NAME is one of:\n${Object.entries(SIMULATORS).map(([n, s]) => `  ${n.padEnd(10)} ${s.summary}`).join('\n')}`)
        return 2
      }
      await (await sim.load()).runCli(simArgs)
      return 0
    }
    case 'discover':
      await (await import('../adapters/onvif/discover.js')).runDiscover(rest)
      return 0
    case 'hash-password': {
      const pw = await readStdin()
      if (pw.length < 8) {
        console.error('the password must have at least 8 characters')
        return 2
      }
      console.log(await hashPassword(pw))
      return 0
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE)
      return verb === undefined ? 2 : 0
    default:
      console.error(`pingan: unknown command "${verb}"\n\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
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
