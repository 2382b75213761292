import Fastify, { LogController } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifySwagger from '@fastify/swagger'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { AddressInfo } from 'node:net'
import { Credentials } from './auth/credentials.js'
import { authGuard } from './auth/guard.js'
import { SessionStore } from './auth/sessions.js'
import { installErrorHandlers } from './errors.js'
import { commandRoutes } from './routes/commands.js'
import { configRoutes } from './routes/config.js'
import { consoleRoutes } from './routes/console-files.js'
import { metricsRoutes } from './routes/metrics.js'
import { deviceRoutes } from './routes/devices.js'
import { eventRoutes } from './routes/events.js'
import { liveRoutes } from './routes/live.js'
import { uplinkRoutes } from './routes/uplinks.js'
import { probeRoutes } from './routes/probes.js'
import { sessionRoutes } from './routes/session.js'
import { statusRoutes } from './routes/status.js'
import { walktestRoutes } from './routes/walktest.js'
import type { ApiApp, ApiDeps } from './types.js'

export type { ApiApp, ApiDeps } from './types.js'
export { requireRole } from './auth/guard.js'

export interface ApiServer {
  port: number
  close(): Promise<void>
}

/**
 * The HTTP API and the console. Every route under /api/v1 needs a session or a bearer token
 * (api.open lifts that); /healthz, /readyz and the console's files are open. The OpenAPI document
 * built from the routes' zod schemas is at /api/v1/openapi.json.
 */
export async function buildApi(deps: ApiDeps): Promise<ApiApp> {
  // Probes call every few seconds: no log line per request.
  const app = Fastify({
    loggerInstance: deps.log,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<ZodTypeProvider>() as unknown as ApiApp
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installErrorHandlers(app)
  await app.register(fastifyCookie)
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'pingan-gateway API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'pingan_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  })
  const credentials = await Credentials.create(deps.api)
  const sessions = new SessionStore(deps.now ?? Date.now)
  app.addHook('onRequest', authGuard({ api: deps.api, credentials, sessions, log: deps.log }))

  probeRoutes(app, deps)
  sessionRoutes(app, { api: deps.api, credentials, sessions })
  statusRoutes(app, deps)
  metricsRoutes(app, deps)
  walktestRoutes(app, deps)
  if (deps.devices) deviceRoutes(app, deps.devices, deps.events)
  if (deps.events) eventRoutes(app, deps.events)
  if (deps.live) {
    const live = deps.live
    liveRoutes(app, live)
    // Open streams would hold the server's close forever.
    app.addHook('preClose', async () => live.close())
  }
  if (deps.commands) commandRoutes(app, deps.commands.sender, deps.commands.devices, deps.now ?? Date.now)
  if (deps.uplinks) uplinkRoutes(app, deps.uplinks)
  if (deps.config !== undefined) configRoutes(app, deps.config)
  await consoleRoutes(app, deps)
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())
  return app
}

export async function startApi(deps: ApiDeps): Promise<ApiServer> {
  const app = await buildApi(deps)
  await app.listen({ host: deps.api.host, port: deps.api.port })
  const port = (app.server.address() as AddressInfo).port
  return { port, close: () => app.close() }
}
