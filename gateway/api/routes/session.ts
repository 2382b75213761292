import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { ApiRoleSchema, type ApiConfig } from '../../../config/api.js'
import type { Credentials } from '../auth/credentials.js'
import { SESSION_COOKIE } from '../auth/guard.js'
import type { SessionStore } from '../auth/sessions.js'
import { ApiErrorSchema } from '../errors.js'
import type { ApiApp } from '../types.js'

export const SessionViewSchema = z.object({ user: z.string(), role: ApiRoleSchema, expiresAt: z.iso.datetime().nullable() })
const LoginBody = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) })

export interface SessionRouteDeps {
  api: Pick<ApiConfig, 'sessionTtlMinutes' | 'installerSessionTtlMinutes'>
  credentials: Credentials
  sessions: SessionStore
}

const MINUTE_MS = 60_000

/** Console login: POST opens a session (cookie), GET tells who is logged in, DELETE logs out. */
export function sessionRoutes(app: ApiApp, deps: SessionRouteDeps): void {
  const response = { 200: SessionViewSchema, 401: ApiErrorSchema }
  app.post('/api/v1/session', { config: { public: true }, schema: { body: LoginBody, response } }, async (req, reply) => {
    const user = await deps.credentials.login(req.body.name, req.body.password)
    if (!user) {
      req.log.warn({ user: req.body.name, remote: req.ip }, 'console login refused: bad name or password')
      return reply.code(401).send({ error: 'unauthorized', message: 'wrong name or password (api.users in the config)' })
    }
    const ttl = (user.role === 'installer' ? deps.api.installerSessionTtlMinutes : deps.api.sessionTtlMinutes) * MINUTE_MS
    const { id, session } = deps.sessions.open(user.name, user.role, ttl)
    setSessionCookie(req, reply, id, new Date(session.expiresAt))
    req.log.info({ user: user.name, role: user.role, remote: req.ip }, 'console login')
    return { user: user.name, role: user.role, expiresAt: new Date(session.expiresAt).toISOString() }
  })
  app.get('/api/v1/session', { schema: { response } }, async (req) => {
    const p = req.principal!
    const sid = req.cookies[SESSION_COOKIE]
    const s = p.via === 'session' && sid ? deps.sessions.get(sid) : undefined
    return { user: p.name, role: p.role, expiresAt: s ? new Date(s.expiresAt).toISOString() : null }
  })
  app.delete('/api/v1/session', { config: { public: true }, schema: { response: { 204: z.null() } } }, async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE]
    if (sid) deps.sessions.close(sid)
    setSessionCookie(req, reply, '', new Date(0))
    return reply.code(204).send(null)
  })
}

/** HttpOnly and SameSite=Strict: scripts cannot read it and other sites cannot send it. */
function setSessionCookie(req: FastifyRequest, reply: FastifyReply, value: string, expires: Date): void {
  reply.setCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https', expires })
}
