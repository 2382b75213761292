import { z } from 'zod'
import { IdSchema } from '../../base/events/event.js'
import { POINT_KINDS } from './points.js'

/** The walk test's shapes at the API boundary (see API-CONTRACT: POST /walktests, WalkTestView). */

export const DEFAULT_TIME_LIMIT_MINUTES = 30

export const StartWalkTestSchema = z.strictObject({
  /** Devices whose every point is tested; with `zones`, the union of both. Neither: the whole site. */
  devices: z.array(IdSchema).max(1000).optional(),
  /** Single zones (Contact ID zone number, e.g. "015") or doors (OSDP door id) of a device. */
  zones: z
    .array(z.strictObject({ device: IdSchema, zone: z.string().min(1).max(64) }))
    .max(5000)
    .optional(),
  /** Test fire, panic, medical, gas and duress zones too (they stay live otherwise). */
  includeLifeSafety: z.boolean().default(false),
  timeLimitMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(DEFAULT_TIME_LIMIT_MINUTES),
  /** Who walks the site; the API fills in the logged-in user when absent. */
  installer: z.string().min(1).max(128).optional(),
})
export type StartWalkTest = z.input<typeof StartWalkTestSchema>

const Iso = z.iso.datetime({ offset: true })

export const WalkTestPointViewSchema = z.object({
  key: z.string(),
  device: z.string(),
  zone: z.string().optional(),
  label: z.string(),
  kind: z.enum(POINT_KINDS),
  tested: z.boolean(),
  testedAt: Iso.optional(),
  /** Steps seen so far, in the order they came. */
  steps: z.array(z.string()),
  /** Steps that test the point (zone: alarm, restore; door: open, closed; lock: raised, lowered...). */
  expected: z.array(z.string()),
})

export const WalkTestViewSchema = z.object({
  id: z.string(),
  /** running; complete (every point tested); incomplete (time ran out); ended (by the installer, or the gateway stopped). */
  state: z.enum(['running', 'complete', 'incomplete', 'ended']),
  startedAt: Iso,
  endsAt: Iso,
  endedAt: Iso.optional(),
  /** Once ended: whether every point was tested. */
  result: z.enum(['complete', 'incomplete']).optional(),
  endedBy: z.enum(['all-tested', 'installer', 'time-limit', 'stopped']).optional(),
  installer: z.string(),
  points: z.array(WalkTestPointViewSchema),
  untested: z.number().int(),
  /** Once its report is stored (a little after the end: it waits for the uplinks' acknowledgements). */
  report: z.object({ id: z.string(), sha256: z.string() }).optional(),
})
export type WalkTestView = z.infer<typeof WalkTestViewSchema>

/** One stored report in the list. */
export const ReportSummarySchema = z.object({
  id: z.string(),
  startedAt: Iso,
  endedAt: Iso,
  result: z.enum(['complete', 'incomplete']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
})
export type ReportSummary = z.infer<typeof ReportSummarySchema>

/** Report and session ids are UUIDs: safe as file names. */
export const WalkTestIdSchema = z.uuid()
