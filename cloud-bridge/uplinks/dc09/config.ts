import { z } from 'zod'
import { IdSchema, KindSchema } from '../../../base/events/event.js'
import { ACCOUNT_RE } from './frame.js'

/** Receivers accept 3 to 16 hex digits; most expect 4 to 8. [SIA DC-09, account number] */
const AccountSchema = z.string().regex(ACCOUNT_RE, 'use 3-16 hex digits (0-9, A-F; most receivers expect 4-8)')
const HexNumberSchema = z.string().regex(/^[0-9A-F]{1,6}$/, 'use 1-6 hex digits (0-9, A-F)')

const CodeOverrideSchema = z.strictObject({
  /** Contact ID event code, 3 digits. [SIA DC-05] */
  cid: z.number().int().min(0).max(999),
  /** 1 new event, 3 restore, 6 status. */
  qualifier: z.union([z.literal(1), z.literal(3), z.literal(6)]).default(1),
  /** SIA DC-03 two-letter code. */
  sia: z.string().regex(/^[A-Z]{2}$/, 'two capital letters, e.g. BA'),
  subject: z.enum(['zone', 'user']).optional(),
})
/** Event type -> code; `null` keeps that type from being sent at all. */
const CodesSchema = z.record(z.string().min(1), CodeOverrideSchema.nullable())

/** Call direction: which events go there (as panels' per-receiver settings do). */
const RouteSchema = z.strictObject({
  kinds: z.array(KindSchema).optional(),
  /** Events of this priority or more urgent (1 life safety ... 4 information). */
  maxPriority: z.number().int().min(1).max(4).default(3),
})

export const ReceiverSchema = z
  .strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    transport: z.enum(['tcp', 'udp']).default('tcp'),
    /** What this receiver takes: Contact ID or SIA DC-03 events. */
    token: z.enum(['ADM-CID', 'SIA-DCS']).default('ADM-CID'),
    /** The `R` and `L` fields; left out of the frame when not set. */
    receiverNumber: HexNumberSchema.optional(),
    lineNumber: HexNumberSchema.optional(),
    /** Overrides the uplink's account for this receiver. */
    account: AccountSchema.optional(),
    /**
     * The AES key, 128, 192 or 256 bit: `keyHex` (32, 48 or 64 hex digits) or `keyAscii` (16, 24 or
     * 32 characters, used as bytes). Receivers differ in how they read a key string: say which.
     * Best given from the environment, e.g. "${ARC_KEY}".
     */
    keyHex: z
      .string()
      .regex(/^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})$/, 'use 32, 48 or 64 hex digits (AES-128/192/256)')
      .optional(),
    keyAscii: z
      .string()
      .refine(
        (s) => [16, 24, 32].includes(Buffer.byteLength(s, 'latin1')) && /^[\x20-\x7e]+$/.test(s),
        'use 16, 24 or 32 printable ASCII characters (AES-128/192/256)',
      )
      .optional(),
    /** TCP: keep the connection between messages, or close it after each ACK as some receivers want. */
    keepConnection: z.boolean().default(true),
    /** This receiver's own call direction, within the uplink's: an event it does not take goes to the next receiver. */
    route: RouteSchema.optional(),
  })
  .refine((r) => !(r.keyHex !== undefined && r.keyAscii !== undefined), { message: 'give keyHex or keyAscii, not both', path: ['keyAscii'] })
export type ReceiverConfig = z.infer<typeof ReceiverSchema>

export const PathSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'use 1-32 letters, digits, "-" or "_"'),
  /** The local address to send from (the interface of this path: wired, 4G). */
  localAddress: z.string().optional(),
  /** Primary, then secondary receiver. */
  receivers: z.array(ReceiverSchema).min(1).max(2),
  /** NULL link test interval on this path; any other message restarts it. Defaults from `category`. */
  linkTestMs: z
    .number()
    .int()
    .min(1000)
    .max(90 * 86_400_000)
    .optional(),
})

const DeviceOverrideSchema = z.strictObject({
  /** The zone number of this device's events (a camera, a reader). */
  zone: z.number().int().min(0).max(9999).optional(),
  /** Zone numbers by the event's zone name (e.g. a receiver's zone "lobby"). */
  zones: z.record(z.string(), z.number().int().min(0).max(9999)).optional(),
  /** Partition: its own account. */
  account: AccountSchema.optional(),
  /** Contact ID group / SIA area. */
  group: z.number().int().min(0).max(99).optional(),
  codes: CodesSchema.optional(),
})

/** EN 50136-1 reporting categories this uplink can be set to (supervision intervals per path). */
export const CATEGORIES = ['SP1', 'SP2', 'SP3', 'SP4', 'SP5', 'SP6', 'DP1', 'DP2', 'DP3', 'DP4'] as const

/**
 * A SIA DC-09 uplink to an alarm-receiving centre: a primary and an optional backup path, each
 * with a primary and a secondary receiver; stop-and-wait, one message in flight.
 */
export const Dc09UplinkSchema = z.strictObject({
  id: IdSchema,
  type: z.literal('dc09'),
  /** The site's account at the centre. */
  account: AccountSchema,
  paths: z.array(PathSchema).min(1).max(2),
  /** EN 50136-1 category: sets each path's link test interval unless it gives its own. */
  category: z.enum(CATEGORIES).optional(),
  /** How long to wait for an ACK before trying again. */
  ackTimeoutMs: z.number().int().min(50).max(120_000).default(10_000),
  /** Retries to one receiver (same sequence number) before moving to the next receiver. */
  retries: z.number().int().min(0).max(10).default(2),
  /** While every path is down: how often to try again. */
  retryDownMs: z.number().int().min(50).default(10_000),
  /** A receiver clock offset beyond this is reported as an `uplink.clock.offset` gateway event. */
  maxClockOffsetMs: z.number().int().min(0).default(300_000),
  /** Periodic test report (CID 602 / SIA RP); 0 turns it off. */
  testReportMs: z.number().int().min(0).default(86_400_000),
  /** Call direction: which events this uplink carries. */
  route: RouteSchema.default({ maxPriority: 3 }),
  xdata: z
    .strictObject({
      /** `[X..][Y..]` from site.coordinates. */
      coordinates: z.boolean().default(true),
      /** `[V..]`: base URL of the gateway's snapshot API as the centre reaches it, e.g. https://gw.example:8080. */
      verificationBaseUrl: z.string().url().optional(),
      /** `[I..]`: the device name and event type as text. */
      text: z.boolean().default(true),
      /** `[U..]`: the event id, so the centre can drop a duplicate. */
      eventId: z.boolean().default(true),
    })
    .default({ coordinates: true, text: true, eventId: true }),
  /** Code overrides for the whole site. */
  codes: CodesSchema.default({}),
  /** Per device: zone numbers, partition account, code overrides. */
  devices: z.record(IdSchema, DeviceOverrideSchema).default({}),
  /** Events every receiver refused (DUH) are tried this many times, then set aside and reported. */
  maxAttempts: z.number().int().min(1).max(100).default(3),
})
export type Dc09UplinkConfig = z.infer<typeof Dc09UplinkSchema>

/** The AES key bytes a receiver config gives, if any. */
export function receiverKey(r: Pick<ReceiverConfig, 'keyHex' | 'keyAscii'>): Buffer | undefined {
  if (r.keyHex !== undefined) return Buffer.from(r.keyHex, 'hex')
  if (r.keyAscii !== undefined) return Buffer.from(r.keyAscii, 'latin1')
  return undefined
}
