import { spawn } from 'node:child_process'
import { join } from 'node:path'

export interface ReaderCounts {
  readerCounts: number[]
  overflows: number
  reopened: number
}

export interface Readers {
  /** Stops the readers and returns how many events each received, and how many were cut. */
  stop(): Promise<ReaderCounts>
}

/** N live-stream readers in their own process (bench/live-readers.ts), every stream open. */
export function startLiveReaders(url: string, token: string, n: number): Promise<Readers> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'live-readers.js'), url, token, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: Array<(rec: Record<string, unknown>) => void> = []
  let buf = ''
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString()
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const rec = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>
      buf = buf.slice(nl + 1)
      lines.shift()?.(rec)
    }
  })
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      lines.push(resolve)
      child.once('exit', (code) => reject(new Error(`live readers exited with ${code}`)))
    })
  return next().then(() => ({
    async stop() {
      const final = next()
      child.kill('SIGTERM')
      return (await final) as unknown as ReaderCounts
    },
  }))
}
