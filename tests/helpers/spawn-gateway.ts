import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { stringify } from 'yaml'
import type { GatewayConfig } from '../../config/schema.js'

const ROOT = resolve(import.meta.dirname, '../..')
const CLI = join(ROOT, 'shell/cli.ts')

export interface SpawnedGateway {
  child: ChildProcess
  brokerPort: number
  apiPort: number
  /** Every log line so far (JSON). */
  lines: Array<Record<string, unknown>>
  /** SIGKILL: no shutdown code runs, as on a power cut or an OOM kill. */
  kill9(): Promise<void>
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>
}

/** Writes the config as YAML next to the journal and returns its path. */
export function writeConfig(config: GatewayConfig, dir: string): string {
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, stringify(config))
  return file
}

export interface SpawnOptions {
  /** A command the gateway runs under, e.g. `['fiu-run', '-x', '-c', '...']` to inject faults. */
  prefix?: string[]
  /** How long to wait for "gateway started" (default 20 s). */
  startTimeoutMs?: number
}

/**
 * Runs `pingan run --config FILE` as a child process (through tsx, from the sources) and waits for
 * its "gateway started" log line, which carries the OS-chosen ports.
 */
export function spawnGateway(configFile: string, env: NodeJS.ProcessEnv = {}, opts: SpawnOptions = {}): Promise<SpawnedGateway> {
  const argv = [process.execPath, '--import', 'tsx', CLI, 'run', '--config', configFile]
  const [command, ...args] = [...(opts.prefix ?? []), ...argv] as [string, ...string[]]
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: Array<Record<string, unknown>> = []
  let stderr = ''
  let buf = ''
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(`gateway did not start within ${startTimeoutMs / 1000} s; stderr: ${stderr.slice(-2000)}; last log: ${JSON.stringify(lines.at(-1) ?? null)}`),
      )
    }, startTimeoutMs)
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const early = (code: number | null) => {
      clearTimeout(timer)
      reject(new Error(`gateway exited with ${code} before starting; stderr: ${stderr.slice(-2000)}`))
    }
    child.once('exit', early)
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 1)
        let rec: Record<string, unknown>
        try {
          rec = JSON.parse(line) as Record<string, unknown>
        } catch {
          continue
        }
        lines.push(rec)
        if (rec['msg'] === 'gateway started') {
          clearTimeout(timer)
          child.off('exit', early)
          resolveStart({
            child,
            lines,
            brokerPort: Number(rec['brokerPort']),
            apiPort: Number(rec['apiPort']),
            async kill9() {
              child.kill('SIGKILL')
              await exited
            },
            async stop() {
              child.kill('SIGTERM')
              return exited
            },
          })
        }
      }
    })
  })
}
