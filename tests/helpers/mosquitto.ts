import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function hasMosquitto(): boolean {
  return spawnSync('sh', ['-c', 'command -v mosquitto && command -v mosquitto_passwd'], { stdio: 'ignore' }).status === 0
}

/** A port the OS chose and released (mosquitto cannot listen on port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

export interface Mosquitto {
  port: number
  child: ChildProcess
  stop(): Promise<void>
}

/** A real mosquitto broker on loopback: TLS with the given certificate, one user, no anonymous access. */
export async function startMosquitto(opts: { user: string; password: string; tls: { caFile: string; certFile: string; keyFile: string } }): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-mosq-'))
  const pw = join(dir, 'passwd')
  execFileSync('mosquitto_passwd', ['-b', '-c', pw, opts.user, opts.password], { stdio: 'ignore' })
  const port = await freePort()
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${pw}`,
      `cafile ${opts.tls.caFile}`,
      `certfile ${opts.tls.certFile}`,
      `keyfile ${opts.tls.keyFile}`,
      'persistence false',
      // Started as root, mosquitto drops to the "mosquitto" user and could not read our 0700 temp dir.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      '',
    ].join('\n'),
  )
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' })
  const until = Date.now() + 5000
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy()
        r(true)
      })
      s.on('error', () => r(false))
    })
    if (ok) break
    if (Date.now() > until) throw new Error('mosquitto did not start')
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    port,
    child,
    stop: () =>
      new Promise((r) => {
        child.once('exit', () => r())
        child.kill('SIGTERM')
      }),
  }
}
