import { z } from 'zod'
import { IdSchema } from '../base/events/event.js'
import { DeviceSchema } from './devices.js'
import { UplinkSchema } from './uplinks.js'
import { addCrossIssues } from './cross-checks.js'
import { ApiSchema } from './api.js'

export const SiteSchema = z.strictObject({
  id: IdSchema,
  name: z.string().min(1).max(128),
  address: z.string().max(256).optional(),
  /** The police grid cell the compound belongs to; devices inherit it unless they set their own. */
  grid: z.string().max(64).optional(),
  coordinates: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  timezone: z.string().optional(),
})

export const BrokerUserSchema = z
  .strictObject({
    username: z.string().min(1).max(64),
    /** scrypt hash from `pingan hash-password`; or `password` (e.g. "${MQTT_PASSWORD}"), hashed at load. */
    passwordHash: z.string().startsWith('scrypt$', 'make one with `pingan hash-password`').optional(),
    password: z.string().min(8, 'use at least 8 characters').optional(),
    /**
     * producer: publishes only on its own devices' ingest topics and reads their commands.
     * observer: reads events, states and gateway status. operator: observer + sends commands.
     */
    role: z.enum(['producer', 'observer', 'operator']),
    /** For producers: the mqtt-ingest devices it speaks for. */
    devices: z.array(IdSchema).default([]),
  })
  .refine((u) => (u.password === undefined) !== (u.passwordHash === undefined), {
    message: 'give exactly one of password or passwordHash',
    path: ['passwordHash'],
  })

export const BrokerSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  /** 0 lets the OS choose (tests). */
  port: z.number().int().min(0).max(65_535).default(1883),
  /** Anonymous clients get the observer role. Off unless explicitly opened. */
  allowAnonymous: z.boolean().default(false),
  users: z.array(BrokerUserSchema).default([]),
  maxIngestPayloadBytes: z.number().int().min(256).max(1_048_576).default(65_536),
  /**
   * Ingest publishes in flight (read, not yet committed and acknowledged) across all producers; over
   * it the broker stops reading their sockets until commits free room, taking connections in turn.
   */
  maxIngestInflight: z.number().int().min(1).max(100_000).default(1024),
  /** The same bound on their payload bytes (a single larger payload goes alone). */
  maxIngestInflightBytes: z.number().int().min(1024).max(268_435_456).default(1_048_576),
})

export const MetricsSchema = z.strictObject({
  /**
   * Serve `GET /metrics` without credentials, for a Prometheus that scrapes without a token. Meant
   * for an API bound to a local interface (api.host 127.0.0.1 or a management LAN): the metrics name
   * every device and uplink. Off: /metrics needs a bearer token or session like the rest of the API.
   */
  open: z.boolean().default(false),
})

const MIB = 1024 * 1024
export const JournalSchema = z
  .strictObject({
    path: z.string().min(1),
    maxRows: z.number().int().min(100).default(2_000_000),
    maxBytes: z
      .number()
      .int()
      .min(MIB)
      .default(1024 * MIB),
    maxAgeDays: z.number().min(0.001).default(30),
    /** Pre-allocated beside the journal and released when the disk fills, so SQLite can still delete; at most a tenth of the disk. */
    spareBytes: z
      .number()
      .int()
      .min(0)
      .default(16 * MIB),
    /** The most events one group commit writes. */
    batchMaxEvents: z.number().int().min(1).max(10_000).default(2000),
  })
  .default({ path: './data/journal.db', maxRows: 2_000_000, maxBytes: 1024 * MIB, maxAgeDays: 30, spareBytes: 16 * MIB, batchMaxEvents: 2000 })

export const ConfigSchema = z
  .strictObject({
    version: z.literal(1),
    site: SiteSchema,
    broker: BrokerSchema.default({
      host: '127.0.0.1',
      port: 1883,
      allowAnonymous: false,
      users: [],
      maxIngestPayloadBytes: 65_536,
      maxIngestInflight: 1024,
      maxIngestInflightBytes: 1_048_576,
    }),
    api: ApiSchema.prefault({}),
    metrics: MetricsSchema.default({ open: false }),
    journal: JournalSchema,
    uplinks: z.array(UplinkSchema).default([]),
    devices: z.array(DeviceSchema).default([]),
    log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') }).default({ level: 'info' }),
  })
  // Runs even when fields are invalid (`when`), so a duplicate id is reported beside a bad adapter.
  .superRefine((c, ctx) => addCrossIssues(c, ctx), { when: () => true })
export type GatewayConfig = z.infer<typeof ConfigSchema>
export type ConfigInput = z.input<typeof ConfigSchema>
