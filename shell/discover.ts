import { parseArgs } from 'node:util'
import { configuredCameras, discover, type CredentialSource, type ProbeOptions } from '../adapters/onvif/discover.js'

/**
 * `pingan discover`: finds ONVIF cameras on the LAN with a WS-Discovery probe and, for each, prints
 * its address, model and whether the given credentials work (those of a config file with --config).
 */

const USAGE = `usage: pingan discover [--config FILE] [--user NAME] [--password PW] [--timeout MS] [--target HOST:PORT] [--bind ADDR] [--json]

Finds ONVIF cameras on the local network (WS-Discovery probe to 239.255.255.250:3702) and prints
each camera's address, model, clock offset and whether the credentials work.
  --config FILE        check each camera configured at a found address with its own credentials
  --user, --password   credentials to check (or PINGAN_CAMERA_USER / PINGAN_CAMERA_PASSWORD)
  --target HOST:PORT   probe one host by unicast instead of the multicast group
  --bind ADDR          send from this local address (choose the interface)
  --timeout MS         how long to wait for answers (default 3000)
  --json               one JSON object per camera`

/** Entry point of `pingan discover`. */
export async function runDiscover(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      timeout: { type: 'string', default: '3000' },
      user: { type: 'string' },
      password: { type: 'string' },
      target: { type: 'string' },
      bind: { type: 'string' },
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return out(USAGE)
  const user = values.user ?? process.env['PINGAN_CAMERA_USER']
  const password = values.password ?? process.env['PINGAN_CAMERA_PASSWORD']
  let target: ProbeOptions['target']
  if (values.target) {
    const m = /^(.+):(\d+)$/.exec(values.target)
    if (!m) throw new Error(`--target wants HOST:PORT, got "${values.target}"`)
    target = { host: m[1]!, port: Number(m[2]) }
  }
  const shared = user !== undefined ? { username: user, password: password ?? '' } : undefined
  let creds: CredentialSource | undefined = shared
  if (values.config) {
    const lookup = configuredCameras((await import('../config/load.js')).loadConfigFile(values.config).devices)
    creds = (address) => lookup(address) ?? (shared ? { creds: shared } : undefined)
  }
  const reports = await discover({
    timeoutMs: Number(values.timeout) || 3000,
    ...(target ? { target } : {}),
    ...(values.bind ? { bindAddress: values.bind } : {}),
    ...(creds ? { creds } : {}),
  })
  if (values.json) {
    for (const r of reports) out(JSON.stringify(r))
    return
  }
  if (reports.length === 0) return out('no ONVIF cameras answered (is this box on the cameras\u2019 network? try --bind)')
  out(['ADDRESS', 'NAME', 'MODEL', 'CLOCK', 'CREDENTIALS', 'DEVICE'].join('\t'))
  for (const r of reports) {
    const secs = r.clockOffsetMs === undefined ? undefined : Math.round(r.clockOffsetMs / 1000) || 0
    const clock = secs === undefined ? '?' : `${secs > 0 ? '+' : ''}${secs}s`
    out([r.address, r.name ?? '-', [r.manufacturer, r.model].filter(Boolean).join(' ') || '-', clock, r.credentials, r.device ?? '-'].join('\t'))
  }
}
