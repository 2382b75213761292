import { z } from 'zod'
import { IdSchema, KindSchema, LocationSchema } from '../base/events/event.js'

/**
 * Fields every device has, whatever its adapter. Each adapter's fragment extends this with
 * `adapter: z.literal('...')` and its own settings; `config/devices.ts` joins the fragments through the adapter registry.
 */
export const DeviceBaseShape = {
  id: IdSchema,
  name: z.string().max(128).optional(),
  kind: KindSchema,
  location: LocationSchema.strict().default({}),
  /** A device silent for longer than this goes `device.offline`. */
  supervisionMs: z.number().int().min(1000).max(86_400_000).optional(),
}

/** A problem in one device's entry: its path inside the entry and what is wrong. */
export interface DeviceIssue {
  path: PropertyKey[]
  message: string
}
