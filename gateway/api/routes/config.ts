import { z } from 'zod'
import { requireRole } from '../auth/guard.js'
import { redactSecrets } from '../redact.js'
import type { ApiApp } from '../types.js'

/** GET /config (installer): the running config, every secret redacted. */
export function configRoutes(app: ApiApp, config: unknown): void {
  const redacted = redactSecrets(config) as Record<string, unknown>
  app.get('/api/v1/config', { preHandler: requireRole('installer'), schema: { response: { 200: z.record(z.string(), z.unknown()) } } }, async () => redacted)
}
