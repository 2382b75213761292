import { z } from 'zod'
import { KindSchema } from '../../../base/events/event.js'

/**
 * An event as the journal stored it, without its raw frame. Loose: fields the event model gains
 * (a walk test's `test: true`) pass through.
 */
export const EventViewSchema = z.looseObject({
  id: z.string(),
  seq: z.number(),
  device: z.string(),
  kind: z.string(),
  type: z.string(),
  priority: z.number(),
  occurredAt: z.string().optional(),
  receivedAt: z.string(),
  zone: z.string().optional(),
  attrs: z.record(z.string(), z.unknown()),
  test: z.boolean().optional(),
})
export type EventView = z.infer<typeof EventViewSchema>

/** GET /events/{id}: the event with the frame it was decoded from, where the adapter kept one. */
export const EventDetailSchema = EventViewSchema.extend({ raw: z.string().optional() })

export function eventView(stored: Record<string, unknown>): EventView {
  const { raw: _raw, ...view } = stored
  return view as EventView
}

const CURSOR_RE = /^[1-9][0-9]{0,15}$/

export const EventsQuerySchema = z.strictObject({
  device: z.string().min(1).max(64).optional(),
  kind: KindSchema.optional(),
  type: z.string().min(1).max(64).optional(),
  priority: z.coerce.number().int().min(1, 'priority is 1 (most urgent) to 4').max(4, 'priority is 1 (most urgent) to 4').optional(),
  from: z.iso.datetime({ offset: true, message: 'use an ISO 8601 time such as 2026-03-01T08:00:00Z' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'use an ISO 8601 time such as 2026-03-01T09:00:00Z' }).optional(),
  q: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1, 'limit is 1 to 500').max(500, 'limit is 1 to 500').default(100),
  cursor: z.string().regex(CURSOR_RE, 'use nextCursor from the previous page').optional(),
})
