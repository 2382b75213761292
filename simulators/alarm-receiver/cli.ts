import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { createLogger } from '../../base/log.js'
import { z } from 'zod'
import { ReceiverModel, type SimEvent } from './model.js'
import { openSerial, serveTcp, type ReceiverPort } from './wire.js'

const USAGE = `pingan sim alarm [options]

An alarm receiver's automation port (Sur-Gard MLR2 family) sending Contact ID events and
heartbeats, waiting 4 s for ACK and repeating three more times on NAK or silence. On a TCP port
(like a serial device server) or a serial device (a real port, or one end of a socat PTY pair:
  socat -d -d pty,raw,echo=0,link=/tmp/gw pty,raw,echo=0,link=/tmp/sim).

Options:
  --tcp PORT            listen on 127.0.0.1:PORT (default 0: any free port)
  --serial PATH         use this serial device instead of TCP
  --baud N              serial baud rate (default 9600)
  --format F            receiver (5RRL 18AAAAQXYZGGCCC, default) or panel (16-digit line with checksum)
  --receiver RR         receiver number (default 01)
  --line L              line number, 1-4 digits (default 1)
  --heartbeat-ms N      heartbeat interval (default 30000)
  --ack-timeout-ms N    wait for ACK this long before repeating (default 4000)
  --random-ms N         random panel events, one every N ms on average (default: none)
  --accounts LIST       accounts for random events (default 1234)
  --seed N              random seed (default 1)
  --noise X             chance of line noise before a transmission (default 0)
  --corrupt X           chance a transmission goes out garbled or with a bad checksum (default 0)
  --byte-delay-ms N     a slow link: each byte waits N ms
  --script FILE         JSON array of events to send, each optionally "afterMs" after the one before:
                        [{"account":"1234","qualifier":"E","code":"130","group":"01","zone":"015"},
                         {"afterMs":1000,"account":"1234","qualifier":"R","code":"130","group":"01","zone":"015"}]
  --help

Commands on stdin:
  send ACCT Q CODE GROUP ZONE   e.g. "send 1234 E 131 01 015"
  deaf on|off                   ignore (or hear again) the host's ACK and NAK
  pause on|off                  fall silent: no heartbeats, no messages
  status                        print the counters`

const ScriptSchema = z.array(
  z.strictObject({
    afterMs: z.number().int().min(0).default(0),
    account: z.string().regex(/^[0-9A-F]{4}$/),
    qualifier: z.enum(['E', 'R', 'P']),
    code: z.string().regex(/^\d{3}$/),
    group: z.string().regex(/^[0-9A-F]{2}$/),
    zone: z.string().regex(/^[0-9A-F]{3}$/),
  }),
)

/** A script's events, each `afterMs` after the one before it (a panel's real timing). */
function scheduleScript(model: ReceiverModel, file: string, now: number): void {
  const r = ScriptSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
  if (!r.success) throw new Error(`--script ${file}: ${z.prettifyError(r.error)}`)
  let at = now
  for (const { afterMs, ...event } of r.data) model.schedule((at += afterMs), event)
}

export async function runCli(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      tcp: { type: 'string', default: '0' },
      serial: { type: 'string' },
      baud: { type: 'string', default: '9600' },
      format: { type: 'string', default: 'receiver' },
      receiver: { type: 'string', default: '01' },
      line: { type: 'string', default: '1' },
      'heartbeat-ms': { type: 'string', default: '30000' },
      'ack-timeout-ms': { type: 'string', default: '4000' },
      'random-ms': { type: 'string' },
      accounts: { type: 'string', default: '1234' },
      seed: { type: 'string', default: '1' },
      noise: { type: 'string', default: '0' },
      corrupt: { type: 'string', default: '0' },
      'byte-delay-ms': { type: 'string', default: '0' },
      script: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (v.help) {
    console.log(USAGE)
    return
  }
  if (v.format !== 'receiver' && v.format !== 'panel') throw new Error('--format is receiver or panel')
  const log = createLogger({ level: process.env['PINGAN_LOG_LEVEL'] ?? 'info' })
  const model = new ReceiverModel(
    {
      format: v.format,
      receiver: v.receiver,
      line: v.line,
      seed: Number(v.seed),
      heartbeatMs: Number(v['heartbeat-ms']),
      ackTimeoutMs: Number(v['ack-timeout-ms']),
      noiseRate: Number(v.noise),
      corruptRate: Number(v.corrupt),
      ...(v['random-ms'] ? { randomEvents: { meanIntervalMs: Number(v['random-ms']), accounts: v.accounts.split(',') } } : {}),
    },
    Date.now(),
  )
  if (v.script) scheduleScript(model, v.script, Date.now())
  const wire = {
    log,
    byteDelayMs: Number(v['byte-delay-ms']),
    onTransmit: (t: { what: string; text?: string; attempt?: number }) => log.info({ what: t.what, text: t.text, attempt: t.attempt }, 'sent'),
  }
  const port: ReceiverPort = v.serial
    ? await openSerial(model, { ...wire, path: v.serial, baudRate: Number(v.baud) })
    : await serveTcp(model, { ...wire, port: Number(v.tcp) })
  log.info({ address: port.address }, 'alarm receiver simulator ready')
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    const [cmd, ...args] = line.trim().split(/\s+/)
    if (cmd === 'send' && args.length === 5) {
      const [account, qualifier, code, group, zone] = args as [string, SimEvent['qualifier'], string, string, string]
      model.enqueue({ account, qualifier, code, group, zone })
      port.poke()
    } else if (cmd === 'deaf') port.setDeaf(args[0] === 'on')
    else if (cmd === 'pause') port.pause(args[0] === 'on')
    else if (cmd === 'status') console.log(JSON.stringify({ linkUp: model.linkUp, pending: model.pending, ...model.stats }))
    else if (cmd) console.log('commands: send ACCT Q CODE GROUP ZONE | deaf on|off | pause on|off | status')
  })
  await new Promise<void>((resolve) => {
    const done = (): void => resolve()
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
  rl.close()
  await port.close()
}
