import { z } from 'zod'
import { IdSchema } from '../../base/events/event.js'
import { backoffSchema } from '../../base/backoff.js'

/**
 * Reconnect delays, full jitter (base/backoff.ts). The cap bounds how long alarms wait after
 * the platform returns (at most `maxMs`, `maxMs / 2` on average); a lower cap costs more connection
 * attempts during an outage: 1,000 sites at 5 s make about 400 attempts/s, spread evenly.
 */
const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 5000 }
const BackoffSchema = backoffSchema({
  defaults: DEFAULT_BACKOFF,
  initialMs: { min: 10, max: Number.MAX_SAFE_INTEGER },
  maxMs: { min: 100, max: Number.MAX_SAFE_INTEGER },
})

/**
 * The MQTT uplink to the platform's broker. TLS verifies the broker's certificate against `ca`
 * (or the system store); there is no switch to turn verification off.
 */
export const MqttUplinkSchema = z
  .strictObject({
    id: IdSchema,
    type: z.literal('mqtt'),
    /** mqtts://host:8883 (or mqtt://host:1883 with allowPlaintext, for a loopback test platform). */
    url: z.string().regex(/^mqtts?:\/\/[^/]+$/, 'use mqtts://host:port (or mqtt://host:port with allowPlaintext: true)'),
    allowPlaintext: z.boolean().default(false),
    /** PEM files: the CA that signed the platform's certificate, and our client certificate and key. */
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    /** The name to verify in the platform's certificate when it differs from the url's host. */
    servername: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    /** Defaults to `pingan-{site}`: one session per site on the platform broker. */
    clientId: z.string().max(128).optional(),
    /**
     * 4 (MQTT 3.1.1, the default: every platform broker speaks it, clustered ones best) or 5
     * (MQTT 5: refusals come back as reason codes instead of a closed connection).
     */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
    keepaliveSec: z.number().int().min(5).max(600).default(15),
    connectTimeoutMs: z.number().int().min(1000).default(10_000),
    /** Events published and not yet acknowledged, at most. */
    inflightWindow: z.number().int().min(1).max(65_535).default(512),
    backoff: BackoffSchema.default(DEFAULT_BACKOFF),
    /** A refused event is tried this many times, then set aside in the journal and reported. */
    maxAttempts: z.number().int().min(1).max(100).default(5),
    /** MQTT 5 session expiry, so commands sent during a short outage still arrive. */
    sessionExpirySec: z.number().int().min(0).default(600),
    statusIntervalMs: z.number().int().min(500).default(5000),
  })
  .superRefine((u, ctx) => {
    if (u.url.startsWith('mqtt://') && !u.allowPlaintext) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'plaintext MQTT to the platform: use mqtts:// (TLS), or set allowPlaintext: true for a loopback test platform',
      })
    }
    if ((u.cert === undefined) !== (u.key === undefined)) {
      ctx.addIssue({ code: 'custom', path: [u.cert ? 'key' : 'cert'], message: 'a client certificate needs both cert and key' })
    }
  })
export type MqttUplinkConfig = z.infer<typeof MqttUplinkSchema>
