import { z } from 'zod'
import { KINDS, defaultPriority, isKnownType, type Kind, type Priority } from './types.js'

/**
 * Site, device and user ids become MQTT topic levels on our broker and on platform brokers.
 * Clustered brokers close the connection on a `.` or a space in a level (NATS) or split on `.`
 * (RabbitMQ), so ids keep to letters, digits, `-` and `_`.
 */
export const ID_RE = /^[A-Za-z0-9_-]{1,64}$/
export const IdSchema = z.string().regex(ID_RE, 'use 1-64 letters, digits, "-" or "_" (no dots or spaces: ids become MQTT topic levels)')

export const KindSchema = z.enum(KINDS)
export const PrioritySchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)])

/** Where an event happened: platforms dispatch by site and grid cell. */
export const LocationSchema = z.object({
  grid: z.string().max(64).optional(),
  building: z.string().max(64).optional(),
  unit: z.string().max(64).optional(),
  area: z.string().max(128).optional(),
})
export type Location = z.infer<typeof LocationSchema>

const Iso = z.iso.datetime({ offset: true })
const Attrs = z.record(z.string(), z.unknown())

/** The normalized event, as stored in the journal and published on every topic. */
export const EventSchema = z
  .object({
    id: z.uuid(),
    /** Per-device sequence number, assigned at commit; a platform detects gaps with it. */
    seq: z.number().int().positive(),
    site: IdSchema,
    ...LocationSchema.shape,
    device: IdSchema,
    kind: KindSchema,
    type: z.string().min(1).max(64),
    priority: PrioritySchema,
    occurredAt: Iso.optional(),
    receivedAt: Iso,
    zone: z.string().max(64).optional(),
    user: z.string().max(64).optional(),
    attrs: Attrs,
    raw: z.string().max(4096).optional(),
    /** Made by a device on walk test (`gateway/walktest/`): journaled and forwarded as usual, but not a live alarm. */
    test: z.literal(true).optional(),
  })
  .refine((e) => isKnownType(e.kind, e.type), {
    message: 'type is not in the closed list of its kind',
    path: ['type'],
  })
export type GatewayEvent = z.infer<typeof EventSchema>

/** Looks at an event just built, before its commit, and may set `test` (a device on walk test). */
export type EventMarker = (event: Omit<GatewayEvent, 'seq'>) => void

/** What an adapter hands to `emit()`: the device's identity and location are filled in by the gateway. */
export interface EventInput {
  type: string
  priority?: Priority
  occurredAt?: string
  zone?: string
  user?: string
  attrs?: Record<string, unknown>
  raw?: string
  /** Overrides of the device's configured location (e.g. a zone's own building). */
  location?: Location
  /**
   * Stable identity of a frame a device may repeat when it did not see our acknowledgement.
   * The journal merges a repeat into the committed event only when the latest keyed event from
   * the same `dedupeScope` of the device has this key and was received within `dedupeWindowMs`:
   * a retransmission follows its original with nothing else from the source in between.
   */
  dedupeKey?: string
  dedupeWindowMs?: number
  /**
   * The source whose retransmissions are merged (e.g. one receiver line). Without it the scope is
   * the key itself: any earlier event with the same key within the window absorbs the repeat.
   */
  dedupeScope?: string
  /** An id supplied by the producer (the MQTT ingest gate); otherwise a UUIDv7 is assigned. */
  id?: string
}

/** A third-party producer's payload on `.../ingest/{device}`. */
export const IngestPayloadSchema = z
  .object({
    id: z.uuid().optional(),
    kind: KindSchema.optional(),
    type: z.string().min(1).max(64),
    priority: PrioritySchema.optional(),
    occurredAt: Iso.optional(),
    zone: z.string().max(64).optional(),
    user: z.string().max(64).optional(),
    attrs: Attrs.optional(),
    raw: z.string().max(4096).optional(),
    ...LocationSchema.shape,
  })
  .strict()

/** The configured identity of a device, as `buildEvent` needs it. */
export interface DeviceIdentity {
  site: string
  device: string
  kind: Kind
  location: Location
}

export class UnknownTypeError extends Error {
  constructor(kind: Kind, type: string) {
    super(`event type "${type}" is not in the list for kind "${kind}"`)
  }
}

/**
 * Makes a normalized event (without its per-device `seq`, which the journal assigns at commit).
 * Throws UnknownTypeError for a type outside the kind's closed list: adapters map unknown
 * codes to `other` and keep the raw code in attrs.
 */
export function buildEvent(who: DeviceIdentity, input: EventInput, id: string, receivedAt: number): Omit<GatewayEvent, 'seq'> {
  const fallback = defaultPriority(who.kind, input.type)
  if (fallback === undefined) throw new UnknownTypeError(who.kind, input.type)
  const loc = { ...who.location, ...input.location }
  const ev: Omit<GatewayEvent, 'seq'> = {
    id,
    site: who.site,
    device: who.device,
    kind: who.kind,
    type: input.type,
    priority: input.priority ?? fallback,
    receivedAt: new Date(receivedAt).toISOString(),
    attrs: input.attrs ?? {},
  }
  if (loc.grid !== undefined) ev.grid = loc.grid
  if (loc.building !== undefined) ev.building = loc.building
  if (loc.unit !== undefined) ev.unit = loc.unit
  if (loc.area !== undefined) ev.area = loc.area
  if (input.occurredAt !== undefined) ev.occurredAt = input.occurredAt
  if (input.zone !== undefined) ev.zone = input.zone
  if (input.user !== undefined) ev.user = input.user
  if (input.raw !== undefined) ev.raw = input.raw
  return ev
}
