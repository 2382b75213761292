import { z } from 'zod'
import { ApiErrorSchema } from '../errors.js'
import type { EventQuery } from '../event-query.js'
import { EventDetailSchema, EventsQuerySchema, EventViewSchema, eventView } from '../views/event-view.js'
import type { ApiApp } from '../types.js'

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso))

/** The journal, newest first, filtered and paged by cursor; one event with its raw frame. */
export function eventRoutes(app: ApiApp, events: EventQuery): void {
  const Page = z.object({
    events: z.array(EventViewSchema),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null when no older event matches'),
    complete: z
      .boolean()
      .describe(
        'false when the scan budget ran out before `limit` matches (free text, a time range): `events` holds what was found and `nextCursor` continues the search further back',
      ),
    scanned: z.number().int().describe('journal rows this page examined'),
  })
  app.get('/api/v1/events', { schema: { querystring: EventsQuerySchema, response: { 200: Page, 400: ApiErrorSchema } } }, async (req, reply) => {
    const q = req.query
    if (q.from !== undefined && q.to !== undefined && ms(q.from)! >= ms(q.to)!) {
      return reply.code(400).send({ error: 'bad request', message: 'querystring: from must be before to' })
    }
    const page = await events.list({
      device: q.device,
      kind: q.kind,
      type: q.type,
      priority: q.priority,
      from: ms(q.from),
      to: ms(q.to),
      q: q.q,
      beforePos: q.cursor === undefined ? undefined : Number(q.cursor),
      limit: q.limit,
    })
    return {
      events: page.events.map((e) => eventView(e.event)),
      nextCursor: page.more && page.nextPos !== undefined ? String(page.nextPos) : null,
      complete: page.complete,
      scanned: page.scanned,
    }
  })
  const Params = z.object({ id: z.uuid('an event id is a UUID, as in the events list') })
  app.get('/api/v1/events/:id', { schema: { params: Params, response: { 200: EventDetailSchema, 404: ApiErrorSchema } } }, async (req, reply) => {
    const ev = await events.byId(req.params.id)
    if (!ev) return reply.code(404).send({ error: 'not found', message: `no event ${req.params.id} in the journal (it may have been evicted)` })
    return ev as z.infer<typeof EventDetailSchema>
  })
}
