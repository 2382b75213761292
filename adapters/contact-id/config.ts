import { z } from 'zod'
import { DeviceBaseShape } from '../device-base.js'
import { LocationSchema, PrioritySchema } from '../../base/events/event.js'
import { isKnownType } from '../../base/events/types.js'
import { TransportSchema } from '../transport/config.js'

const alarmType = z.string().refine((t) => isKnownType('alarm', t), 'not an event type of the alarm kind (see base/events/types.ts)')

/** What an operator should read instead of "zone 015". */
const ZoneSchema = z.strictObject({
  name: z.string().min(1).max(64).describe('e.g. "infrared beam, north fence"'),
  /** Merged over the account's and the device's location. */
  location: LocationSchema.strict().optional(),
  /**
   * What the zone reports ("intrusion", "fire", "panic"...). A life-safety zone (fire, panic,
   * medical, gas, duress) stays live during a walk test unless the installer includes it.
   */
  type: alarmType.optional(),
})

/** Zone keys as written in YAML (`15`, `015`, `0F`) normalized to the 3 characters of CCC. */
const zoneMap = z
  .record(z.string().regex(/^[0-9A-Fa-f]{1,3}$/, 'a zone number of 1-3 digits'), ZoneSchema)
  .default({})
  .transform((zones) => Object.fromEntries(Object.entries(zones).map(([k, v]) => [k.toUpperCase().padStart(3, '0'), v])))

const AccountSchema = z.strictObject({
  name: z.string().max(128).optional(),
  location: LocationSchema.strict().optional(),
  zones: zoneMap,
})

/** An entry that replaces or adds to the built-in code table. */
const CodeOverrideSchema = z.strictObject({
  type: alarmType,
  restore: alarmType.optional(),
  priority: PrioritySchema.optional(),
  label: z.string().max(64).optional(),
  subject: z.enum(['zone', 'user']).optional(),
})

/**
 * An alarm receiver (Sur-Gard MLR2 family or compatible) whose automation port is wired to the
 * gateway, directly or through a serial device server.
 */
export const ContactIdDeviceSchema = z.strictObject({
  ...DeviceBaseShape,
  adapter: z.literal('contact-id'),
  kind: z.literal('alarm').default('alarm'),
  transport: TransportSchema,
  /** Digits of the receiver's line-number field, when it is fixed (1 on MLR2, 3 on RRLLL receivers). */
  lineDigits: z.number().int().min(1).max(4).optional(),
  /**
   * How long after a message its retransmission is still merged into it: the receiver repeats a
   * message whose ACK it did not see (4 tries, 4 s apart), and again after the link comes back.
   * Only a repeat with nothing else from its line in between is merged (see SPEC.md).
   */
  dedupeWindowMs: z.number().int().min(1000).max(3_600_000).default(60_000),
  maxFrameBytes: z.number().int().min(64).max(65_536).default(256),
  /** Zone names and locations for every account. */
  zones: zoneMap,
  /** Per account (ACCT, 4 hex digits): its own name, location and zones. */
  accounts: z
    .record(z.string().regex(/^[0-9A-Fa-f]{4}$/, 'a 4-digit account'), AccountSchema)
    .default({})
    .transform((a) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k.toUpperCase(), v]))),
  /** Additions to and replacements of the built-in event-code table, by 3-digit code. */
  codes: z.record(z.string().regex(/^\d{3}$/, 'a 3-digit Contact ID code'), CodeOverrideSchema).default({}),
})
/** The receiver's heartbeat comes about every 30 s: three missed ones raise device.offline. */
export const DEFAULT_SUPERVISION_MS = 90_000

export type ContactIdDeviceConfig = z.infer<typeof ContactIdDeviceSchema>
