import { z } from 'zod'
import { adoptOldBackoff, backoffShape, type BackoffLimits } from '../../base/backoff.js'

/**
 * Reconnect pacing shared by both transports (`base/backoff.ts`): `backoff: { initialMs, maxMs }`.
 * A device server rebooting takes about a minute, so the cap is half of that.
 */
const RECONNECT: BackoffLimits = { defaults: { initialMs: 500, maxMs: 30_000 }, initialMs: { min: 10, max: 60_000 }, maxMs: { min: 100, max: 600_000 } }
const OLD_KEYS = { initialMs: 'reconnectMinMs', maxMs: 'reconnectMaxMs' } as const
const ReconnectShape = backoffShape(RECONNECT, OLD_KEYS)

/** A local RS-232/RS-485 port (a USB adapter or an on-board UART). */
export const SerialPortTransportSchema = z
  .strictObject({
    path: z.string().min(1).describe('e.g. /dev/ttyUSB0 or /dev/serial/by-id/...'),
    baudRate: z.number().int().min(50).max(4_000_000).default(9600),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).default(1),
    ...ReconnectShape,
  })
  .transform((v) => adoptOldBackoff(v, OLD_KEYS, RECONNECT.defaults))
export type SerialPortTransportConfig = z.infer<typeof SerialPortTransportSchema>

const TCP_URL_RE = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/

/** A serial device server on the LAN (RS-485 to Ethernet) in raw TCP mode. */
export const TcpTransportSchema = z
  .strictObject({
    url: z
      .string()
      .regex(TCP_URL_RE, 'use tcp://host:port (the device server in raw TCP / "TCP server" mode)')
      .refine((u) => tcpPort(u) >= 1 && tcpPort(u) <= 65535, 'port must be 1-65535'),
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
    ...ReconnectShape,
  })
  .transform((v) => adoptOldBackoff(v, OLD_KEYS, RECONNECT.defaults))
export type TcpTransportConfig = z.infer<typeof TcpTransportSchema>

/**
 * The `transport:` of a serial device, reused by every serial adapter's config fragment:
 * `{ path: '/dev/ttyUSB0', baudRate: 9600 }` or `{ url: 'tcp://10.0.0.7:4001' }`, or the short
 * string forms `'/dev/ttyUSB0'` and `'tcp://10.0.0.7:4001'` (defaults for everything else).
 */
export const TransportSchema = z.union([
  SerialPortTransportSchema,
  TcpTransportSchema,
  z.string().transform((s, ctx) => {
    const r = s.startsWith('tcp://') ? TcpTransportSchema.safeParse({ url: s }) : SerialPortTransportSchema.safeParse({ path: s })
    if (r.success) return r.data
    for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message })
    return z.NEVER
  }),
])
export type TransportConfig = z.infer<typeof TransportSchema>

export function isTcpTransport(t: TransportConfig): t is TcpTransportConfig {
  return 'url' in t
}

/** Host and port of a `tcp://host:port` url (brackets stripped from an IPv6 literal). */
export function parseTcpUrl(url: string): { host: string; port: number } {
  const m = TCP_URL_RE.exec(url)
  if (!m) throw new RangeError(`not a tcp://host:port url: ${url}`)
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) }
}

function tcpPort(url: string): number {
  const m = TCP_URL_RE.exec(url)
  return m ? Number(m[2]) : 0
}

/** How a transport is named in logs and device state: the path with its line settings, or the url. */
export function describeTransport(t: TransportConfig): string {
  if (isTcpTransport(t)) return t.url
  const parity = t.parity[0]!.toUpperCase()
  return `${t.path}@${t.baudRate} ${t.dataBits}${parity}${t.stopBits}`
}
