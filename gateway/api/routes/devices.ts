import { z } from 'zod'
import { ApiErrorSchema } from '../errors.js'
import type { EventQuery } from '../event-query.js'
import { DeviceViewSchema, type DeviceViews } from '../views/device-view.js'
import { EventViewSchema, eventView } from '../views/event-view.js'
import type { ApiApp } from '../types.js'

/** Events a device's detail shows. */
const RECENT_EVENTS = 20

export const DeviceParams = z.object({ id: z.string().min(1).max(64) })

export function notFound(id: string) {
  return { error: 'not found', message: `no device "${id}" in this gateway's config (GET /api/v1/devices lists them)` }
}

/** Every configured device with what the gateway knows of it; one device with its recent events. */
export function deviceRoutes(app: ApiApp, views: DeviceViews, events: EventQuery | undefined): void {
  app.get('/api/v1/devices', { schema: { response: { 200: z.object({ devices: z.array(DeviceViewSchema) }) } } }, async () => ({ devices: views.list() }))
  const Detail = DeviceViewSchema.extend({ recent: z.array(EventViewSchema) })
  app.get('/api/v1/devices/:id', { schema: { params: DeviceParams, response: { 200: Detail, 404: ApiErrorSchema } } }, async (req, reply) => {
    const view = views.get(req.params.id)
    if (!view) return reply.code(404).send(notFound(req.params.id))
    const recent = events ? (await events.list({ device: view.id, limit: RECENT_EVENTS })).events.map((e) => eventView(e.event)) : []
    return { ...view, recent }
  })
}
