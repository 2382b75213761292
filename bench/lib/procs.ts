import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { writeFileSync } from 'node:fs'
import type { GatewayConfig } from '../../config/schema.js'

const DIST = join(import.meta.dirname, '..', '..')

export interface Child {
  child: ChildProcess
  info: Record<string, unknown>
  stop(): Promise<void>
}

/** Starts a node script and waits for the first stdout line that is JSON containing `key`. */
function startNode(args: string[], key: string, nodeOptions: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeOptions, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let buf = ''
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)))
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        try {
          const rec = JSON.parse(line) as Record<string, unknown>
          if (key in rec) {
            child.removeAllListeners('exit')
            child.stdout!.resume()
            resolve({
              child, info: rec,
              stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 5000).unref() }),
            })
          }
        } catch { /* not a JSON line */ }
      }
    })
  })
}

/** The gateway from dist/, in its own process, as on a gateway box. */
export function startGatewayProcess(config: GatewayConfig, dir: string): Promise<Child> {
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, stringify(config))
  // PINGAN_GATEWAY_NODE_OPTIONS: V8 flags for the gateway process, e.g. to compare heap settings.
  const flags = (process.env['PINGAN_GATEWAY_NODE_OPTIONS'] ?? '').split(' ').filter(Boolean)
  return startNode([join(DIST, 'gateway', 'cli.js'), 'run', '--config', file], 'brokerPort', flags)
}

/** A bare aedes broker (no auth, no hooks) in its own process: the ceiling to compare against. */
export function startRawBroker(): Promise<Child> {
  return startNode([join(DIST, 'bench', 'raw-broker.js')], 'rawBrokerPort')
}

/** Resident set size of a process, from /proc. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) * 1024 : NaN
}
