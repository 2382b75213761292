import type { ApiApp, ApiDeps } from '../types.js'

/**
 * `GET /metrics`: the Prometheus text exposition. Credentials as for the API (the guard protects
 * /metrics) unless `metrics.open`, meant for an API bound to a local interface.
 */
export function metricsRoutes(app: ApiApp, deps: ApiDeps): void {
  const metrics = deps.metrics
  if (!metrics) return
  app.get('/metrics', { config: { public: metrics.open }, schema: { hide: true } }, async (_req, reply) => {
    const text = await metrics.scrape()
    return reply.type(metrics.contentType).header('cache-control', 'no-store').send(text)
  })
}
