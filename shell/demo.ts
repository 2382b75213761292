import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadDemoConfig } from '../config/load.js'
import { DeviceSchema } from '../config/devices.js'
import { createLogger } from '../base/log.js'
import { startGateway } from '../gateway/main.js'
import { startPlatformSim } from '../simulators/platform/platform.js'
import { formatEventLine } from '../simulators/platform/format.js'
import { startCentreSim } from '../simulators/alarm-centre/wire.js'
import { formatCentreLine } from '../simulators/alarm-centre/cli.js'
import { Dc09UplinkSchema } from '../cloud-bridge/uplinks/dc09/config.js'
import { DEMO_SIMULATORS, type DemoSimulator } from '../simulators/demos.js'
import { ScriptedProducer } from '../simulators/producer/producer.js'
import { DEMO_SCRIPT } from '../simulators/producer/script.js'
import { errorMessage } from '../base/errors.js'

const USAGE = `pingan demo [--duration SECONDS] [--log-level LEVEL]

Runs the whole chain on this machine: a platform simulator, an alarm-receiving centre (SIA DC-09,
AES), the gateway on the embedded demo config, every device simulator, and a scripted third-party
producer. Prints each event the platform receives and each alarm the centre receives. Stops on Ctrl-C (or after --duration) and prints the platform's report.`

/**
 * `pingan demo`: the chain end to end with no hardware. The gateway logs to stderr at warn so the
 * platform's lines stay readable on stdout.
 */
export async function runDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const dir = resolve('.pingan-demo')
  mkdirSync(dir, { recursive: true })
  const log = createLogger({ level: values['log-level'] })
  const config = loadDemoConfig(process.env, process.cwd())
  const uplink = config.uplinks.find((u) => u.type === 'mqtt')!
  const platform = await startPlatformSim({
    users: [{ username: uplink.username ?? '', password: uplink.password ?? '' }],
    onEvent: (ev) => console.log(`platform <- ${formatEventLine(ev)}`),
  })
  uplink.url = platform.url
  // Beside the platform: an alarm-receiving centre over DC-09, encrypted, from the same journal.
  const demoKey = '000102030405060708090A0B0C0D0E0F'
  const centre = await startCentreSim({ keys: { D209: Buffer.from(demoKey, 'hex') }, onEvent: (e) => console.log(`centre   <- ${formatCentreLine(e)}`) })
  config.uplinks.push(
    Dc09UplinkSchema.parse({
      id: 'arc',
      type: 'dc09',
      account: 'D209',
      route: { maxPriority: 2 },
      paths: [{ name: 'wired', receivers: [{ host: centre.host, port: centre.tcpPort, receiverNumber: '1', lineNumber: '1', keyHex: demoKey }] }],
    }),
  )

  const sims: DemoSimulator[] = []
  for (const [name, load] of Object.entries(DEMO_SIMULATORS)) {
    try {
      const sim = await (await load())({ log: log.child({ component: 'simulator', simulator: name }), dir })
      sims.push(sim)
      for (const d of sim.devices) config.devices.push(DeviceSchema.parse(d))
    } catch (err) {
      console.error(`demo: the ${name} simulator did not start (${errorMessage(err)}); going on without it`)
    }
  }

  const gateway = await startGateway(config, { log })
  const producerUser = config.broker.users.find((u) => u.role === 'producer')!
  const producer = new ScriptedProducer({
    url: `mqtt://127.0.0.1:${gateway.brokerPort}`,
    username: producerUser.username,
    password: producerUser.password ?? '',
    site: config.site.id,
    script: DEMO_SCRIPT,
    intervalMs: 1500,
    onError: (err) => console.error(`demo producer: ${err.message}`),
  })
  await producer.start()

  console.log(
    [
      `pingan demo: site ${config.site.id} (${config.site.name}), ${config.devices.length} devices`,
      `  platform simulator   ${platform.url}`,
      `  alarm centre (DC-09) tcp://${centre.host}:${centre.tcpPort}  (account D209, AES-128)`,
      `  gateway broker       mqtt://127.0.0.1:${gateway.brokerPort}  (observer: demo-observer / demo-observer-pw)`,
      `  console              http://127.0.0.1:${gateway.apiPort}/  (log in as demo-installer / demo-installer-pw: demo values, never for a real site)`,
      `  gateway API          http://127.0.0.1:${gateway.apiPort}/api/v1/status  (Authorization: Bearer ${String(config.api.tokens[0])})`,
      `  journal              ${config.journal.path}`,
      `Ctrl-C to stop.`,
    ].join('\n'),
  )

  await new Promise<void>((done) => {
    const timer = values.duration ? setTimeout(done, Number(values.duration) * 1000) : undefined
    const stop = () => {
      if (timer) clearTimeout(timer)
      done()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await producer.stop()
  await Promise.allSettled(sims.map((s) => s.stop()))
  await gateway.stop()
  const r = platform.report()
  await platform.close()
  const c = centre.model.report()
  await centre.close()
  console.log(
    `platform report: ${r.unique} events from ${r.devices} devices; duplicates ${r.duplicates}, gaps ${r.gaps}, order violations ${r.orderViolations}`,
  )
  console.log(`centre report: ${c.unique} alarms; duplicates ${c.duplicates}, out of order ${c.outOfOrder}, link tests ${c.nulls}`)
  return r.unique > 0 ? 0 : 1
}
