import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

/**
 * A pseudo-terminal pair made by socat (`apt-get install socat`): whatever is written to `a` is
 * read from `b` and back, like a null-modem cable. `unplug()` kills socat (both ends vanish, as when a USB adapter is
 * pulled) and `replug()` starts it again on the same link paths.
 */
export interface PtyPair {
  /** Symlink to one end (give it to the gateway). */
  a: string
  /** Symlink to the other end (give it to the simulator). */
  b: string
  readonly pid: number | undefined
  unplug(): Promise<void>
  replug(): Promise<void>
  close(): Promise<void>
}

const READY_TIMEOUT_MS = 5000

export async function startPtyPair(opts: { dir?: string } = {}): Promise<PtyPair> {
  const ownDir = opts.dir === undefined
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'pingan-pty-'))
  const a = path.join(dir, 'a')
  const b = path.join(dir, 'b')
  let child: ChildProcess | undefined = await startSocat(a, b)
  const pair: PtyPair = {
    a,
    b,
    get pid() {
      return child?.pid
    },
    async unplug() {
      if (child) await kill(child)
      child = undefined
      // socat unlinks on a clean exit; make sure, so a reopen fails as on a pulled adapter.
      for (const p of [a, b]) rmSync(p, { force: true })
    },
    async replug() {
      if (child) return
      child = await startSocat(a, b)
    },
    async close() {
      await pair.unplug()
      if (ownDir) rmSync(dir, { recursive: true, force: true })
    },
  }
  return pair
}

function startSocat(a: string, b: string): Promise<ChildProcess> {
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let stderr = ''
    const started = Date.now()
    const fail = (why: string): void => {
      clearInterval(poll)
      child.kill('SIGKILL')
      reject(new Error(`socat did not start: ${why}\n${stderr}`))
    }
    child.once('error', (err) => fail(err.message))
    child.once('exit', (code) => fail(`exited with ${code}`))
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    // socat logs "starting data transfer loop" once both ends exist and it is relaying.
    const poll = setInterval(() => {
      if (stderr.includes('starting data transfer loop') && existsSync(a) && existsSync(b)) {
        clearInterval(poll)
        child.removeAllListeners('exit')
        child.removeAllListeners('error')
        resolve(child)
      } else if (Date.now() - started > READY_TIMEOUT_MS) fail(`links not ready after ${READY_TIMEOUT_MS} ms`)
    }, 10)
  })
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
