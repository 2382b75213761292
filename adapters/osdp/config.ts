import { z } from 'zod'
import { DeviceBaseShape } from '../device-base.js'
import { IdSchema } from '../../base/events/event.js'
import { TransportSchema } from '../transport/config.js'

const HEX_KEY = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'a 16-byte key as 32 hex digits')
  .transform((s) => s.toLowerCase())

/** One reader (PD) on the bus and the door it guards: reader, door contact input, strike output. */
export const OsdpReaderSchema = z.strictObject({
  /** The reader's OSDP address, 0-126 (127 is broadcast) [OSDP 2.2 §5.3]. */
  address: z.number().int().min(0).max(126),
  /** The door's id: the event's zone, and the `door` parameter of commands. */
  door: IdSchema,
  /** The door's name as people call it ("North gate"); in every event's attrs. */
  name: z.string().min(1).max(128).optional(),
  /** Talk to this reader only inside the secure channel; it gets its own key from the install key. */
  secureChannel: z.boolean().default(false),
  /** CRC-16 (true) or the 8-bit checksum for very old readers. */
  useCrc: z.boolean().default(true),
  /** The reader input wired to the door contact; no door-state logic without one. */
  contactInput: z.number().int().min(0).max(255).optional(),
  /** Input active means the door is open (a normally-closed contact wired to report "open" as active). */
  contactOpenWhenActive: z.boolean().default(true),
  /** The reader output that drives the strike (or the maglock relay). */
  strikeOutput: z.number().int().min(0).max(255).default(0),
  strikePulseMs: z.number().int().min(100).max(60_000).default(3000),
  /** A door open longer than this after a grant is held open (`door.held`). */
  heldOpenMs: z.number().int().min(1000).max(3_600_000).default(30_000),
  /**
   * Grant or deny at this door from the device's allow-list (true by default when there is one);
   * false reports `credential` and leaves the decision to the platform.
   */
  localDecisions: z.boolean().optional(),
  /** After the strike pulse ends, opening is still a granted opening for this long (slow pushers). */
  grantGraceMs: z.number().int().min(0).max(60_000).default(2000),
})
export type OsdpReaderConfig = z.infer<typeof OsdpReaderSchema>

/** A credential the gateway grants by itself (every door when `doors` is absent). */
export const AllowEntrySchema = z.strictObject({
  card: z.string().regex(/^\d{1,40}$/, 'the card number in decimal'),
  facility: z.number().int().min(0).optional(),
  user: z.string().min(1).max(64).optional(),
  doors: z.array(IdSchema).optional(),
})
export type AllowEntry = z.infer<typeof AllowEntrySchema>

/**
 * An RS-485 bus of OSDP readers with the gateway as control panel. One device per bus: the readers
 * share one port and one poll loop; each reader is a door in the events' zone and attrs.
 */
export const OsdpDeviceSchema = z
  .strictObject({
    ...DeviceBaseShape,
    adapter: z.literal('osdp'),
    kind: z.literal('access').default('access'),
    transport: TransportSchema,
    readers: z.array(OsdpReaderSchema).min(1).max(126),
    /** How long to wait for a reply [OSDP 2.2 §5.7: 200 ms]. */
    replyTimeoutMs: z.number().int().min(20).max(2000).default(200),
    /** A reader silent this long is offline [OSDP 2.2 §5.7: 8 s]. */
    offlineAfterMs: z.number().int().min(1000).max(60_000).default(8000),
    /** An offline reader is tried once per this interval. */
    reconnectIntervalMs: z.number().int().min(100).max(60_000).default(2000),
    /**
     * A reader that keeps refusing (NAKs that restart its start-up, secure channel failures) is
     * retried ever more slowly, doubling from `reconnectIntervalMs` up to this interval.
     */
    refusedRetryMaxMs: z.number().int().min(1000).max(600_000).default(30_000),
    /** A reader is polled at most this often (0: as fast as the line allows). */
    pollIntervalMs: z.number().int().min(0).max(5000).default(100),
    busyRetryMs: z.number().int().min(0).max(1000).default(50),
    maxFrameBytes: z.number().int().min(64).max(65_535).default(1024),
    /** The JSON file holding each reader's secure channel key (mode 0600); put it beside the journal. */
    keyStorePath: z.string().min(1).optional(),
    /** The key readers ship with (SCBK-D unless the installer changed it). */
    installKey: HEX_KEY.default('303132333435363738393a3b3c3d3e3f'),
    /** Credentials granted locally, so doors keep working while the platform is away. */
    allowList: z.array(AllowEntrySchema).max(100_000).optional(),
  })
  .refine((d) => new Set(d.readers.map((r) => r.address)).size === d.readers.length, {
    message: 'two readers share an address',
    path: ['readers'],
  })
  .refine((d) => new Set(d.readers.map((r) => r.door)).size === d.readers.length, {
    message: 'two readers share a door id',
    path: ['readers'],
  })
  .refine((d) => d.keyStorePath !== undefined || !d.readers.some((r) => r.secureChannel), {
    message: 'readers with secureChannel need keyStorePath (where their keys are kept)',
    path: ['keyStorePath'],
  })
export type OsdpDeviceConfig = z.infer<typeof OsdpDeviceSchema>
export type OsdpDeviceInput = z.input<typeof OsdpDeviceSchema>
