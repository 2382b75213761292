import { Writable } from 'node:stream'
import { pino } from 'pino'
import type { Logger } from '../../gateway/log.js'

/** A real pino logger whose lines are kept in memory, so tests can assert what was logged. */
export interface MemoryLog {
  log: Logger
  lines: Array<Record<string, unknown> & { level: number; msg: string }>
  /** Lines with this message (and, optionally, this level name). */
  find(msg: string, level?: 'debug' | 'info' | 'warn' | 'error'): MemoryLog['lines']
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const

export function memoryLog(level = 'debug'): MemoryLog {
  const lines: MemoryLog['lines'] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    },
  })
  const log = pino({ level }, sink)
  return {
    log,
    lines,
    find: (msg, lvl) => lines.filter((l) => l.msg === msg && (lvl === undefined || l.level === LEVELS[lvl])),
  }
}
