import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createLogger } from '../../base/log.js'
import { errorMessage } from '../../base/errors.js'
import { AccessBusModel, type SimReaderConfig } from './model.js'
import { runLine } from './script.js'
import { serveSerial, serveTcp, type RunningWire } from './wire.js'

const USAGE = `pingan sim access [options]

OSDP card readers on one RS-485 bus, answering the gateway as control panel.

  --tcp PORT           serve the bus on 127.0.0.1:PORT, as a serial device server (0 = any free port)
  --serial PATH        serve it on a serial port or one end of a socat PTY pair instead
  --reader SPEC        a reader: ADDR[,secure][,key=HEX32] (repeatable; default: 0 and 1,secure)
  --line-baud N        emulate the line's timing at N baud (PTYs and TCP have none of their own)
  --seed N             seed of the readers' random numbers (default 1)

Type on stdin (ADDR is the reader's address):
  swipe ADDR H10301|H10306|C1000-35|H10304|raw FACILITY CARD
  keys ADDR 1234#          door ADDR open|closed     tamper ADDR on|off     power ADDR lost|ok
  silence ADDR MS          busy ADDR N               nak ADDR CODE          restart ADDR
  corrupt-mac ADDR [always|off]     refuse-out ADDR on|off     require-secure ADDR on|off
  factory-reset ADDR       status`

function parseReader(spec: string): SimReaderConfig {
  const [addr, ...opts] = spec.split(',')
  const r: SimReaderConfig = { address: Number(addr), contactInput: 0, strikeOutput: 0 }
  if (!Number.isInteger(r.address) || r.address < 0 || r.address > 126) throw new Error(`--reader: bad address in "${spec}"`)
  for (const o of opts) {
    if (o === 'secure') r.requireSecure = true
    else if (o.startsWith('key=') && /^[0-9a-fA-F]{32}$/.test(o.slice(4))) r.scbk = Buffer.from(o.slice(4), 'hex')
    else throw new Error(`--reader: unknown option "${o}" in "${spec}"`)
  }
  return r
}

export async function runCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      tcp: { type: 'string' },
      serial: { type: 'string' },
      reader: { type: 'string', multiple: true, default: [] },
      'line-baud': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const log = createLogger({ level: process.env['PINGAN_LOG_LEVEL'] ?? 'info' })
  const readers = (values.reader.length ? values.reader : ['0', '1,secure']).map(parseReader)
  const model = new AccessBusModel({ readers, seed: Number(values.seed) })
  const wireOpts = { model, log, lineBaudRate: Number(values['line-baud']) }
  let wire: RunningWire
  if (values.serial) wire = await serveSerial({ ...wireOpts, path: values.serial })
  else wire = await serveTcp({ ...wireOpts, port: Number(values.tcp ?? 0) })
  console.log(
    values.serial
      ? `readers ${readers.map((r) => r.address).join(', ')} on ${values.serial}`
      : `readers ${readers.map((r) => r.address).join(', ')} on tcp://127.0.0.1:${wire.port}`,
  )
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    try {
      const out = runLine(model, line, Date.now())
      if (out) console.log(out)
    } catch (err) {
      console.log(errorMessage(err))
    }
  })
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      rl.close()
      void wire.close().then(resolve)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
