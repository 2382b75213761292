import { z } from 'zod'
import type { ApiApp } from '../types.js'

export const UplinksViewSchema = z.object({
  uplinks: z.array(z.object({
    id: z.string(),
    type: z.string(),
    state: z.string(),
    backlog: z.number(),
    /** null when nothing waits (or the outbox could not be read: see outboxError). */
    oldestUndeliveredSec: z.number().nullable(),
    lastAckAt: z.string().nullable(),
    deliveryRatePerMin: z.number(),
    parked: z.number().nullable(),
    outboxError: z.string().nullable(),
    /** What the uplink itself knows (DC-09: the active path and each receiver). */
    link: z.record(z.string(), z.unknown()).optional(),
  })),
  journal: z.looseObject({ rows: z.number(), bytes: z.number(), maxRows: z.number(), maxBytes: z.number() }),
  disk: z.object({ freeBytes: z.number().nullable() }),
})
export type UplinksView = z.infer<typeof UplinksViewSchema>

/** Each uplink's delivery, the journal's use and limits, and the disk's free space. */
export function uplinkRoutes(app: ApiApp, uplinks: () => Promise<UplinksView>): void {
  app.get('/api/v1/uplinks', { schema: { response: { 200: UplinksViewSchema } } }, async () => uplinks())
}
