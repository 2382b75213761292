import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { writeFileSync } from 'node:fs'
import type { GatewayConfig } from '../../config/schema.js'

const DIST = join(import.meta.dirname, '..', '..')

/** As in the Dockerfile: caps the heap so garbage is collected before RSS grows past ~150 MB. */
const GATEWAY_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=16'

/**
 * The V8 heap settings the Dockerfile deploys with; PINGAN_GATEWAY_NODE_OPTIONS overrides them (an
 * empty value runs node's defaults). The drain benchmark and the chaos outage scenario both use them,
 * so their memory figures compare.
 */
export function gatewayNodeFlags(): string[] {
  return (process.env['PINGAN_GATEWAY_NODE_OPTIONS'] ?? GATEWAY_NODE_OPTIONS).split(' ').filter(Boolean)
}

/**
 * The environment the Dockerfile deploys with beyond the heap flags: glibc's malloc arenas capped at
 * two (SQLite's pool threads would otherwise each keep an arena at its high-water mark). The memory
 * figures hold for a gateway run this way; a value already in the environment wins.
 */
export function gatewayEnv(): NodeJS.ProcessEnv {
  return { MALLOC_ARENA_MAX: process.env['MALLOC_ARENA_MAX'] ?? '2' }
}

export interface Child {
  child: ChildProcess
  info: Record<string, unknown>
  stop(): Promise<void>
}

/** Starts a node script and waits for the first stdout line that is JSON containing `key`. */
function startNode(args: string[], key: string, nodeOptions: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const child = spawn(process.execPath, [...nodeOptions, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } })
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
              child,
              info: rec,
              stop: () =>
                new Promise((r) => {
                  child.once('exit', () => r())
                  child.kill('SIGTERM')
                  setTimeout(() => child.kill('SIGKILL'), 5000).unref()
                }),
            })
          }
        } catch {
          /* not a JSON line */
        }
      }
    })
  })
}

/** The gateway from dist/, in its own process, as on a gateway box. */
export function startGatewayProcess(config: GatewayConfig, dir: string): Promise<Child> {
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, stringify(config))
  return startNode([join(DIST, 'shell', 'cli.js'), 'run', '--config', file], 'brokerPort', gatewayNodeFlags(), gatewayEnv())
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

/** CPU time (user + system) a process has used, in ms, from /proc (10 ms resolution). */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`)
}

/** CPU time of the process's main thread alone (its thread id is the pid): JavaScript's own thread. */
export function mainThreadCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`)
}

function statCpuMs(file: string): number {
  // Fields after the command name: utime and stime are the 12th and 13th [proc(5)].
  const f = readFileSync(file, 'utf8').split(') ')[1]!.split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100
}
