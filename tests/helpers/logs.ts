import { createLogger, type Logger } from '../../base/log.js'

export interface CapturedLog {
  log: Logger
  lines: Array<Record<string, unknown>>
  /** Lines whose msg contains `text` (and whose fields match `fields`, if given). */
  find(text: string, fields?: Record<string, unknown>): Array<Record<string, unknown>>
  waitFor(text: string, fields?: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>
  text(): string
}

/** A real pino logger whose lines are kept for assertions (and echoed with PINGAN_TEST_LOG=1). */
export function captureLog(level = 'debug'): CapturedLog {
  const lines: Array<Record<string, unknown>> = []
  const raw: string[] = []
  const echo = process.env['PINGAN_TEST_LOG'] === '1'
  const log = createLogger({
    level,
    destination: {
      write(s: string) {
        raw.push(s)
        lines.push(JSON.parse(s) as Record<string, unknown>)
        if (echo) process.stderr.write(s)
      },
    },
  })
  const matches = (l: Record<string, unknown>, text: string, fields?: Record<string, unknown>) =>
    String(l['msg'] ?? '').includes(text) && Object.entries(fields ?? {}).every(([k, v]) => l[k] === v)
  return {
    log,
    lines,
    find: (text, fields) => lines.filter((l) => matches(l, text, fields)),
    async waitFor(text, fields, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs
      for (;;) {
        const hit = lines.find((l) => matches(l, text, fields))
        if (hit) return hit
        if (Date.now() > until) throw new Error(`no log line "${text}" within ${timeoutMs} ms`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    text: () => raw.join(''),
  }
}
