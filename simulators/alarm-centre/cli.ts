import { parseArgs } from 'node:util'
import { startCentreSim } from './wire.js'
import type { CentreReport, ReceivedEvent } from './model.js'

const USAGE = `pingan sim centre [options]

A SIA DC-09 alarm-receiving centre (receiver) over TCP and UDP: ACKs what it can read, NAKs with
its own time what falls outside -40/+20 s, DUHs what it cannot process; prints a line per alarm and
a report of duplicated and out-of-order events per account.

  --host HOST              listen address (default 127.0.0.1)
  --port PORT              TCP port (default 12000; 0 lets the OS choose)
  --udp-port PORT          also listen on UDP
  --key ACCT:HEX           AES key of an account, hex (repeatable)
  --key-ascii ACCT:TEXT    AES key of an account, as characters (repeatable)
  --clock-offset-ms MS     run the receiver's clock this far ahead (negative: behind)
  --drop-acks N            record but do not answer the next N messages
  --drop-requests N        ignore the next N messages
  --wrong-ack-seq N        answer the next N with the wrong sequence number
  --close N                close the connection instead of answering the next N
  --nak-storm N            NAK the next N messages
  --duh N                  answer DUH to the next N events`

function keyArg(list: string[], ascii: boolean): Record<string, Buffer> {
  const out: Record<string, Buffer> = {}
  for (const k of list) {
    const i = k.indexOf(':')
    if (i < 1) throw new Error(`--key wants ACCOUNT:KEY, got "${k}"`)
    const key = Buffer.from(k.slice(i + 1), ascii ? 'latin1' : 'hex')
    if (![16, 24, 32].includes(key.length)) throw new Error(`the key of account ${k.slice(0, i)} has ${key.length} bytes: use 16, 24 or 32`)
    out[k.slice(0, i).toUpperCase()] = key
  }
  return out
}

export function formatCentreLine(e: ReceivedEvent): string {
  const when = new Date(e.at).toISOString().slice(11, 19)
  return `${when} ${e.encrypted ? '*' : ' '}${e.id} #${e.account} seq ${e.seq} ${e.data.slice(e.data.indexOf('|') + 1)}${e.x['I'] ? `  ${e.x['I']}` : ''}`
}

function formatReport(r: CentreReport): string {
  return `report: ${r.unique} events (${r.received} received); lost (sequence gaps) ${r.sequenceGaps}, duplicates ${r.duplicates}, out of order ${r.outOfOrder}, link tests ${r.nulls}, NAK ${r.naks}, DUH ${r.duhs}`
}

export async function runCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '12000' },
      'udp-port': { type: 'string' },
      key: { type: 'string', multiple: true, default: [] },
      'key-ascii': { type: 'string', multiple: true, default: [] },
      'clock-offset-ms': { type: 'string', default: '0' },
      'drop-acks': { type: 'string', default: '0' },
      'drop-requests': { type: 'string', default: '0' },
      'wrong-ack-seq': { type: 'string', default: '0' },
      close: { type: 'string', default: '0' },
      'nak-storm': { type: 'string', default: '0' },
      duh: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const sim = await startCentreSim({
    host: values.host,
    tcpPort: Number(values.port),
    ...(values['udp-port'] !== undefined ? { udpPort: Number(values['udp-port']) } : {}),
    keys: { ...keyArg(values.key, false), ...keyArg(values['key-ascii'], true) },
    faults: {
      clockOffsetMs: Number(values['clock-offset-ms']),
      dropAcks: Number(values['drop-acks']),
      dropRequests: Number(values['drop-requests']),
      wrongAckSeq: Number(values['wrong-ack-seq']),
      closeConnection: Number(values.close),
      nakStorm: Number(values['nak-storm']),
      duh: Number(values.duh),
    },
    onEvent: (e) => console.log(formatCentreLine(e)),
  })
  console.log(`alarm centre listening on tcp://${sim.host}:${sim.tcpPort}${sim.udpPort !== undefined ? ` and udp://${sim.host}:${sim.udpPort}` : ''}`)
  const timer = setInterval(() => console.log(formatReport(sim.model.report())), 10_000)
  await new Promise<void>((resolve) => {
    const stop = () => {
      clearInterval(timer)
      console.log(formatReport(sim.model.report()))
      void sim.close().then(resolve)
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
