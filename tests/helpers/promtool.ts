import { spawn } from 'node:child_process'

/** Where CI's Debian `prometheus` package puts it; PROMTOOL overrides. */
export const PROMTOOL = process.env['PROMTOOL'] ?? '/usr/bin/promtool'

/**
 * `promtool check metrics` on an exposition fed on stdin: its exit code and what it printed.
 * Rejects, saying what to install, when promtool is missing: the check must not pass unseen.
 */
export function promtoolCheckMetrics(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString()
    })
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error(
              `promtool not found at ${PROMTOOL}: install Debian's prometheus package (apt-get install prometheus; CI does) or set PROMTOOL to its path`,
              { cause: err },
            )
          : err,
      )
    })
    child.on('close', (code) => resolve({ code: code ?? -1, output }))
    child.stdin.on('error', () => undefined) // a missing binary closes stdin; the 'error' above says why
    child.stdin.end(text)
  })
}
