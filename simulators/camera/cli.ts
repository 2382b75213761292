import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { startDiscoveryResponder } from './discovery.js'
import { SCRIPT_HELP, runCommand, streetLife } from './script.js'
import { startCameras } from './wire.js'

const USAGE = `pingan sim camera [options]

ONVIF cameras over HTTP (Device, Media, Events with PullPoint, a JPEG snapshot behind HTTP Digest,
WS-UsernameToken), each on its own port, all in this process.

  --count N            cameras to start (default 1), named PREFIX-001, PREFIX-002, ...
  --prefix NAME        camera id prefix (default cam)
  --host HOST          listen address (default 127.0.0.1)
  --user NAME          ONVIF user (default admin)
  --password PW        its password (default admin-pw)
  --skew-ms MS         camera clock minus this host's clock (default 0)
  --discovery PORT     answer WS-Discovery probes sent to this UDP port (0 = any free port)
  --multicast          answer probes on 239.255.255.250:3702 like cameras on a LAN
  --scenes-ms MS       random motion and line crossings, about one per camera per MS (0 = off)
  --seed N             seed of the random scenes (default 1)

${SCRIPT_HELP}`

export async function runCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '1' },
      prefix: { type: 'string', default: 'cam' },
      host: { type: 'string', default: '127.0.0.1' },
      user: { type: 'string', default: 'admin' },
      password: { type: 'string', default: 'admin-pw' },
      'skew-ms': { type: 'string', default: '0' },
      discovery: { type: 'string' },
      multicast: { type: 'boolean', default: false },
      'scenes-ms': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return void console.log(USAGE)
  const cams = await startCameras(Math.max(1, Number(values.count) || 1), {
    prefix: values.prefix,
    host: values.host,
    username: values.user,
    password: values.password,
    skewMs: Number(values['skew-ms']) || 0,
    seed: Number(values.seed) || 1,
  })
  for (const c of cams) console.log(`${c.id}\t${c.deviceUrl}`)
  const responder =
    values.discovery !== undefined || values.multicast
      ? await startDiscoveryResponder(cams, { host: values.host, port: Number(values.discovery ?? 0), multicast: values.multicast })
      : undefined
  if (responder) console.log(`answering WS-Discovery probes on UDP port ${responder.port}`)
  const scenesMs = Number(values['scenes-ms']) || 0
  const stopScenes = scenesMs > 0 ? streetLife(cams, scenesMs, Number(values.seed) || 1) : () => undefined
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    const out = runCommand(cams, line)
    if (out) console.log(out)
  })
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      rl.close()
      stopScenes()
      void Promise.all([...cams.map((c) => c.stop()), responder?.close()]).then(() => resolve())
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}
