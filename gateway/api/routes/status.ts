import { z } from 'zod'
import { IdSchema } from '../../../base/events/event.js'
import type { ApiApp, ApiDeps } from '../types.js'

/** The gateway's status (as published to the platform) and stored camera snapshots. */
export function statusRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/api/v1/status', { schema: { response: { 200: z.record(z.string(), z.unknown()) } } }, async () => (await deps.status()) as Record<string, unknown>)
  const SnapshotParams = z.object({ camera: IdSchema, file: z.string().min(1) })
  app.get('/api/v1/snapshots/:camera/:file', { schema: { params: SnapshotParams } }, async (req, reply) => {
    const jpeg = await deps.snapshot(`${req.params.camera}/${req.params.file}`)
    if (!jpeg) return reply.code(404).send({ error: 'not found', message: 'no such snapshot (it may have aged out)' })
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400, immutable').send(jpeg)
  })
}
