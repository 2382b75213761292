import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { ApiConfig, ApiRole } from '../../config/api.js'
import type { Logger } from '../../base/log.js'
import type { WalkTests } from '../walktest/walk-tests.js'
import type { EventQuery } from './event-query.js'
import type { LiveHub } from './live/hub.js'
import type { Command, CommandResult } from '../../base/events/command.js'
import type { UplinksView } from './views/uplinks-view.js'
import type { DeviceViews } from './views/device-view.js'

/** The fastify instance every route file gets: zod schemas type the handlers. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>

/** Who made a request: a logged-in user, a machine's token, or anyone when the API is open. */
export interface Principal {
  name: string
  role: ApiRole
  via: 'session' | 'token' | 'open'
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every request that carried valid credentials (or when the API is open). */
    principal?: Principal
  }
  interface FastifyContextConfig {
    /** Answer without credentials (probes, login, the console's files). */
    public?: boolean
  }
}

/** Sends a command through the gateway's command router and answers with its result. */
export interface CommandSender {
  send(device: string, cmd: Command & { expiresAt: string }): Promise<CommandResult>
}

/**
 * What the API reads from the running gateway. Members other parts add are optional, so a test can
 * build the server with only what it exercises.
 */
export interface ApiDeps {
  api: ApiConfig
  log: Logger
  now?: () => number
  ready(): { ready: boolean; reasons: string[] }
  status(): Promise<unknown>
  /** A stored camera snapshot by id ("<camera>/<file>"), undefined when unknown or aged out. */
  snapshot(id: string): Promise<Buffer | undefined>
  /** Where the built console is (`dist/console/`); found beside the code when not given. */
  consoleDir?: string
  /** The Prometheus metrics for `GET /metrics`; `open` serves them without credentials (metrics.open). */
  metrics?: { open: boolean; contentType: string; scrape(): Promise<string> }
  /** Walk tests; `update` carries each change of the current one (the live stream's `event: walktest`). */
  walktests?: WalkTests
  /** GET /devices and /devices/{id}. */
  devices?: DeviceViews
  /** GET /events, /events/{id} and each device's recent events. */
  events?: EventQuery
  /** GET /events/live; other parts publish on it (walk tests). */
  live?: LiveHub
  /** POST /devices/{id}/commands, to the configured devices. */
  commands?: { sender: CommandSender; devices: ReadonlySet<string> }
  /** GET /uplinks. */
  uplinks?(): Promise<UplinksView>
  /** GET /config: the running config (redacted when served). */
  config?: unknown
}
