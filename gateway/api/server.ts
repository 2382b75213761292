import { timingSafeEqual } from 'node:crypto'
import Fastify, { LogController, type FastifyRequest } from 'fastify'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../log.js'

export interface ApiDeps {
  host: string
  port: number
  tokens: string[]
  open: boolean
  log: Logger
  ready(): { ready: boolean; reasons: string[] }
  status(): Promise<unknown>
  /** A stored camera snapshot by id ("<camera>/<file>"), undefined when unknown or aged out. */
  snapshot(id: string): Promise<Buffer | undefined>
}

function tokenMatches(given: string, tokens: readonly string[]): boolean {
  const g = Buffer.from(given)
  return tokens.some((t) => {
    const b = Buffer.from(t)
    return b.length === g.length && timingSafeEqual(b, g)
  })
}

/**
 * The HTTP API. /healthz and /readyz answer without credentials (probes from the box's supervisor
 * carry none); everything else needs a bearer token unless `api.open` is set.
 */
export interface ApiServer {
  port: number
  close(): Promise<void>
}

export async function startApi(deps: ApiDeps): Promise<ApiServer> {
  // Probes call every few seconds: no log line per request.
  const app = Fastify({ loggerInstance: deps.log, logController: new LogController({ disableRequestLogging: true }) })
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    if (deps.open || req.url === '/healthz' || req.url === '/readyz') return
    const auth = req.headers.authorization ?? ''
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : ''
    if (!token || !tokenMatches(token, deps.tokens)) {
      deps.log.warn({ url: req.url, remote: req.ip }, 'api request refused: missing or wrong bearer token')
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'send Authorization: Bearer <token> (api.tokens in the config)' })
    }
  })
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_req, reply) => {
    const r = deps.ready()
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not ready', reasons: r.reasons })
  })
  app.get('/api/v1/status', async () => deps.status())
  app.get<{ Params: { camera: string; file: string } }>('/api/v1/snapshots/:camera/:file', async (req, reply) => {
    const jpeg = await deps.snapshot(`${req.params.camera}/${req.params.file}`)
    if (!jpeg) return reply.code(404).send({ error: 'not found', message: 'no such snapshot (it may have aged out)' })
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=86400, immutable').send(jpeg)
  })
  await app.listen({ host: deps.host, port: deps.port })
  const port = (app.server.address() as AddressInfo).port
  return { port, close: () => app.close() }
}
