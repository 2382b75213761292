import { z } from 'zod'
import { requireRole } from '../auth/guard.js'
import { ApiErrorSchema } from '../errors.js'
import type { ApiApp, ApiDeps } from '../types.js'
import { POINT_KINDS } from '../../walktest/points.js'
import { ReportSummarySchema, StartWalkTestSchema, WalkTestIdSchema, WalkTestViewSchema } from '../../walktest/schema.js'
import { WalkTestError } from '../../walktest/scope.js'
import { CONTENT_TYPES, REPORT_FORMATS } from '../../walktest/store.js'
import { verifyReport } from '../../walktest/verify.js'

const STATUS: Record<WalkTestError['reason'], { code: 400 | 409; error: string }> = {
  running: { code: 409, error: 'walktest running' },
  'not-running': { code: 409, error: 'no walktest running' },
  scope: { code: 400, error: 'bad request' },
}

const VERIFY_BODY_LIMIT_BYTES = 32 * 1024 * 1024

const PointSchema = z.object({
  key: z.string(),
  device: z.string(),
  zone: z.string().optional(),
  label: z.string(),
  kind: z.enum(POINT_KINDS),
  lifeSafety: z.boolean(),
  expected: z.array(z.string()),
})
const VerificationSchema = z.object({
  ok: z.boolean(),
  sha256: z.string().optional(),
  reason: z.string().optional(),
  claimed: z.string().optional(),
  computed: z.string().optional(),
})

/**
 * Walk tests: start (installer), the current one, end it (installer), the stored reports in
 * JSON, HTML or CSV, and a check of a report's SHA-256. Not registered without `deps.walktests`.
 */
export function walktestRoutes(app: ApiApp, deps: ApiDeps): void {
  const w = deps.walktests
  if (!w) return
  const fail = (err: unknown) => {
    if (!(err instanceof WalkTestError)) throw err
    return { status: STATUS[err.reason].code, body: { error: STATUS[err.reason].error, message: err.message } }
  }

  app.get('/api/v1/walktests/points', { schema: { response: { 200: z.object({ points: z.array(PointSchema) }) } } }, async () => ({
    points: w.points().map((p) => ({
      key: p.key,
      device: p.device,
      ...(p.zone !== undefined ? { zone: p.zone } : {}),
      label: p.label,
      kind: p.kind,
      lifeSafety: p.lifeSafety,
      expected: [...p.expected],
    })),
  }))

  app.post(
    '/api/v1/walktests',
    {
      preHandler: requireRole('installer'),
      schema: { body: StartWalkTestSchema, response: { 200: WalkTestViewSchema, 400: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req, reply) => {
      try {
        const view = await w.start(req.body, req.principal?.name ?? 'installer')
        req.log.info({ user: req.principal?.name, walktest: view.id }, 'walk test started from the API')
        return view
      } catch (err) {
        const f = fail(err)
        return reply.code(f.status).send(f.body)
      }
    },
  )

  app.get('/api/v1/walktests/current', { schema: { response: { 200: WalkTestViewSchema, 404: ApiErrorSchema } } }, async (_req, reply) => {
    const view = w.current()
    return view ?? reply.code(404).send({ error: 'not found', message: 'no walk test since the gateway started: POST /api/v1/walktests starts one' })
  })

  app.post(
    '/api/v1/walktests/current/end',
    {
      preHandler: requireRole('installer'),
      schema: { response: { 200: WalkTestViewSchema, 400: ApiErrorSchema, 409: ApiErrorSchema } },
    },
    async (req, reply) => {
      try {
        const view = w.end()
        req.log.info({ user: req.principal?.name, walktest: view.id }, 'walk test ended from the API')
        return view
      } catch (err) {
        const f = fail(err)
        return reply.code(f.status).send(f.body)
      }
    },
  )

  app.get('/api/v1/walktests', { schema: { response: { 200: z.object({ reports: z.array(ReportSummarySchema) }) } } }, async () => ({
    reports: await w.store().list(),
  }))

  const ReportParams = z.object({ id: WalkTestIdSchema, format: z.enum(REPORT_FORMATS) })
  app.get('/api/v1/walktests/:id/report.:format', { schema: { params: ReportParams } }, async (req, reply) => {
    const file = await w.store().read(req.params.id, req.params.format)
    if (!file) return reply.code(404).send({ error: 'not found', message: `no walk test report ${req.params.id} (GET /api/v1/walktests lists them)` })
    return (
      reply
        .type(CONTENT_TYPES[req.params.format])
        // The HTML opens in a tab to be printed; JSON and CSV are files to keep.
        .header('content-disposition', `${req.params.format === 'html' ? 'inline' : 'attachment'}; filename="walktest-${req.params.id}.${req.params.format}"`)
        // The HTML is a document to print, not part of the console: it may run nothing.
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(file)
    )
  })

  // A site with thousands of points makes a report of a few MB: more than fastify's 1 MiB default.
  app.post(
    '/api/v1/walktests/verify',
    { bodyLimit: VERIFY_BODY_LIMIT_BYTES, schema: { body: z.unknown(), response: { 200: VerificationSchema } } },
    async (req) => verifyReport(req.body),
  )
}
