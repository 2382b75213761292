import type { FastifyReply, FastifyRequest } from 'fastify'
import { API_ROLES, type ApiConfig, type ApiRole } from '../../../config/api.js'
import type { Logger } from '../../../base/log.js'
import type { Principal } from '../types.js'
import type { Credentials } from './credentials.js'
import type { SessionStore } from './sessions.js'

export const SESSION_COOKIE = 'pingan_session'

/** viewer < operator < installer: a role may do what every role before it may. */
export function roleAtLeast(role: ApiRole, needed: ApiRole): boolean {
  return API_ROLES.indexOf(role) >= API_ROLES.indexOf(needed)
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Bearer').send({
    error: 'unauthorized',
    message: 'log in (POST /api/v1/session with name and password) or send Authorization: Bearer <token> (api.tokens in the config)',
  })
}

/**
 * A preHandler for routes that need more than reading: 401 without credentials, 403 when the
 * caller's role is below `role`.
 */
export function requireRole(role: ApiRole) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const p = req.principal
    if (!p) {
      await unauthorized(reply)
      return
    }
    if (!roleAtLeast(p.role, role)) {
      req.log.warn({ user: p.name, role: p.role, needed: role, url: req.url }, 'api request refused: role too low')
      await reply.code(403).send({ error: 'forbidden', message: `this needs the ${role} role; ${p.name} is ${p.role} (api.users or api.tokens in the config)` })
    }
  }
}

/** Routes the guard protects by default (by the route matched, not the URL as spelled): the API and the metrics; the console's files are open. */
function protectedPath(url: string): boolean {
  return url.startsWith('/api/') || url === '/metrics' || url.startsWith('/metrics?')
}

export interface GuardOptions {
  api: Pick<ApiConfig, 'open'>
  credentials: Credentials
  sessions: SessionStore
  log: Logger
}

/**
 * The onRequest hook: finds who is calling (session cookie, then bearer token) and refuses a
 * protected path without credentials. Roles above viewer are checked per route (requireRole).
 */
export function authGuard(o: GuardOptions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    req.principal = identify(req, o)
    if (req.principal || req.routeOptions.config.public || !protectedPath(req.routeOptions.url ?? req.url)) return
    // A browser asks before anyone has logged in, and a session runs out: both are normal and
    // logged at debug. A bearer token that matches none is a misconfigured machine or a guess.
    if (req.headers.authorization !== undefined) o.log.warn({ url: req.url, remote: req.ip }, 'api request refused: wrong bearer token')
    else o.log.debug({ url: req.url, remote: req.ip, expiredSession: req.cookies[SESSION_COOKIE] !== undefined }, 'api request refused: not logged in')
    await unauthorized(reply)
  }
}

function identify(req: FastifyRequest, o: GuardOptions): Principal | undefined {
  if (o.api.open) return { name: 'anonymous', role: 'installer', via: 'open' }
  const sid = req.cookies[SESSION_COOKIE]
  const session = sid ? o.sessions.get(sid) : undefined
  if (session) return { name: session.user, role: session.role, via: 'session' }
  const auth = req.headers.authorization ?? ''
  const bearer = auth.startsWith('Bearer ') ? o.credentials.bearer(auth.slice(7)) : undefined
  return bearer ? { ...bearer, via: 'token' } : undefined
}
