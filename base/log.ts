import { pino, type Logger, type DestinationStream } from 'pino'

export type { Logger }

/**
 * Paths pino blanks out wherever they appear in a log object: secrets never reach a log line.
 * Config objects, MQTT connect options and HTTP headers are covered.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'key',
  '*.key',
  'scbk',
  '*.scbk',
  'headers.authorization',
  'req.headers.authorization',
  'options.password',
  'uplink.password',
]

export interface LogOptions {
  level?: string
  /** Where to write; stdout by default. Tests pass a stream to read the lines back. */
  destination?: DestinationStream
  pretty?: boolean
}

export function createLogger(opts: LogOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env['PINGAN_LOG_LEVEL'] ?? 'info',
      base: { app: 'pingan' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  )
}
