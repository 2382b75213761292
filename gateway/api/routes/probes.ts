import { z } from 'zod'
import type { ApiApp, ApiDeps } from '../types.js'

/** /healthz and /readyz answer without credentials: the box's supervisor probes carry none. */
export function probeRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/healthz', { config: { public: true }, schema: { response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }))
  const Ready = z.object({ status: z.enum(['ready', 'not ready']), reasons: z.array(z.string()) })
  app.get('/readyz', { config: { public: true }, schema: { response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
    const r = deps.ready()
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not ready', reasons: r.reasons })
  })
}
