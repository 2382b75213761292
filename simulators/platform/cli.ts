import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { randomUUID } from 'node:crypto'
import { startPlatformSim, type PlatformSim } from './platform.js'
import { formatEventLine } from './format.js'

const USAGE = `pingan sim platform [options]

An MQTT broker standing in for the police command platform: records every event sites send,
reports duplicates, gaps and per-device order violations, prints a line per alarm, sends commands.

  --host HOST            listen address (default 127.0.0.1)
  --port PORT            listen port (default 18830; 0 lets the OS choose)
  --user NAME:PASSWORD   accept this login (repeatable; none = anyone may connect)
  --tls-key FILE --tls-cert FILE   serve MQTT over TLS
  --refuse-publish FILTER  close the connection of a site that publishes there, as RabbitMQ does
                         when the account lacks the permission (repeatable; e.g. pingan/v1/+/gateway/status)
  --all                  print every event, not only alarms (priority 1-2)

Type on stdin:  cmd SITE DEVICE ACTION [JSON-PARAMS]   send a command and print its result
                report                                 print the duplicate/gap/order report`

export async function runCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '18830' },
      user: { type: 'string', multiple: true, default: [] },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      'refuse-publish': { type: 'string', multiple: true, default: [] },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const users = values.user.map((u) => {
    const i = u.indexOf(':')
    if (i < 1) throw new Error(`--user wants NAME:PASSWORD, got "${u}"`)
    return { username: u.slice(0, i), password: u.slice(i + 1) }
  })
  const tls = values['tls-key'] && values['tls-cert'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) } : undefined
  const sim = await startPlatformSim({
    host: values.host,
    port: Number(values.port),
    users,
    ...(tls ? { tls } : {}),
    refusePublish: values['refuse-publish'],
    onEvent: (ev) => {
      if (values.all || ev.priority <= 2) console.log(formatEventLine(ev))
    },
  })
  console.log(`platform simulator listening on ${sim.url}${users.length ? ` (${users.length} login(s))` : ' (no login required)'}`)
  const timer = setInterval(() => printReport(sim), 10_000)
  readCommands(sim)
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(timer)
      printReport(sim)
      void sim.close().then(resolve)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

function printReport(sim: PlatformSim): void {
  const r = sim.report()
  console.log(
    `report: ${r.unique} events from ${r.devices} devices; duplicates ${r.duplicates}, gaps ${r.gaps}, order violations ${r.orderViolations}, invalid ${r.invalid}, walk test events ${r.tests}`,
  )
}

function readCommands(sim: PlatformSim): void {
  if (!process.stdin.isTTY && process.stdin.readableEnded) return
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    const [verb, site, device, action, ...rest] = line.trim().split(/\s+/)
    if (verb === 'report') return printReport(sim)
    if (verb !== 'cmd' || !site || !device || !action) {
      if (line.trim()) console.log('usage: cmd SITE DEVICE ACTION [JSON-PARAMS] | report')
      return
    }
    let params: Record<string, unknown> = {}
    try {
      if (rest.length) params = JSON.parse(rest.join(' ')) as Record<string, unknown>
    } catch {
      console.log('params must be JSON, e.g. {"pulseMs": 3000}')
      return
    }
    sim.sendCommand(site, device, { id: randomUUID(), action, params }).then(
      (r) => console.log(`result: ${r.device} ${r.action} -> ${r.status}${r.reason ? ` (${r.reason})` : ''}`),
      (err: Error) => console.log(`command failed: ${err.message}`),
    )
  })
}
