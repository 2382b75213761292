import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ApiApp } from './types.js'

/** Every error the API answers: a short code and what to fix. */
export const ApiErrorSchema = z.object({ error: z.string(), message: z.string() })

/** `querystring.limit: Too big: expected number to be <=500` for each problem. */
function validationMessage(err: FastifyError): string {
  const where = err.validationContext ?? 'request'
  const parts = (err.validation ?? []).map((v) => {
    const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.')
    return `${where}${path ? `.${path}` : ''}: ${v.message ?? 'invalid'}`
  })
  return parts.length > 0 ? parts.join('; ') : err.message
}

/** JSON errors everywhere: schema problems are 400 with what to fix, unknown routes 404, bugs 500 (logged). */
export function installErrorHandlers(app: ApiApp): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply.code(400).send({ error: 'bad request', message: validationMessage(err) })
    }
    const status = err.statusCode ?? 500
    if (status < 500) return reply.code(status).send({ error: err.code ?? 'bad request', message: err.message })
    req.log.error({ err, url: req.url }, 'api request failed')
    return reply.code(500).send({ error: 'internal', message: 'the gateway could not answer; its log has the cause' })
  })
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not found', message: `no route ${req.method} ${req.url.split('?')[0]}: see /api/v1/openapi.json` }),
  )
}
