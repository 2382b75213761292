import { isIP } from 'node:net'
import { z } from 'zod'
import type { ConfigProblem } from '../base/errors.js'

/** Ordered: each role may do what the ones before it may. */
export const API_ROLES = ['viewer', 'operator', 'installer'] as const
export const ApiRoleSchema = z.enum(API_ROLES)
export type ApiRole = z.infer<typeof ApiRoleSchema>

const MINUTES_8H = 480

/** A person who logs in to the console; the password is hashed exactly as the broker's users are. */
export const ApiUserSchema = z
  .strictObject({
    name: z.string().min(1).max(64),
    /** viewer: reads. operator: + commands. installer: + walk tests and the config view. */
    role: ApiRoleSchema,
    /** scrypt hash from `pingan hash-password`; or `password` (e.g. "${PINGAN_ANNA_PASSWORD}"), hashed at start. */
    passwordHash: z.string().startsWith('scrypt$', 'make one with `pingan hash-password`').optional(),
    password: z.string().min(8, 'use at least 8 characters').optional(),
  })
  .refine((u) => (u.password === undefined) !== (u.passwordHash === undefined), {
    message: 'give exactly one of password or passwordHash',
    path: ['passwordHash'],
  })

const TokenSecret = z.string().min(16, 'use at least 16 characters')
/** A machine's bearer token: a bare string has the operator role. */
export const ApiTokenSchema = z.union([TokenSecret, z.strictObject({ token: TokenSecret, role: ApiRoleSchema })])

export const ApiSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8080),
  /** Bearer tokens for everything but /healthz and /readyz (e.g. "${PINGAN_API_TOKEN}"). */
  tokens: z.array(ApiTokenSchema).default([]),
  /** People who log in to the console (session cookie). */
  users: z.array(ApiUserSchema).default([]),
  /** How long a login lasts. Sessions live in memory: a restart logs everyone out. */
  sessionTtlMinutes: z.number().int().min(1).max(43_200).default(MINUTES_8H),
  /** How long an installer's login lasts (installers may change the most). */
  installerSessionTtlMinutes: z.number().int().min(1).max(43_200).default(MINUTES_8H),
  /** Serve the API without credentials (every caller is an installer). Off unless explicitly opened. */
  open: z.boolean().default(false),
})
export type ApiConfig = z.infer<typeof ApiSchema>

/** What `pingan check` warns about in the api section: valid, but probably not meant. */
export function apiWarnings(api: ApiConfig): ConfigProblem[] {
  const out: ConfigProblem[] = []
  if (api.open && !isLoopbackHost(api.host)) {
    out.push({
      path: 'api.open',
      message: `the API and console answer anyone who can reach ${api.host}:${api.port} as an installer`,
      fix: 'set api.open: false and add api.users, or bind api.host to 127.0.0.1',
    })
  }
  // On loopback alone an API without credentials is a box that only answers its probes: fine.
  if (!api.open && !isLoopbackHost(api.host) && api.users.length === 0 && api.tokens.length === 0) {
    out.push({
      path: 'api',
      message: `the API listens on ${api.host} but has no api.users and no api.tokens: nobody can log in to the console or call it`,
      fix: 'add a user under api.users (role installer) or a token under api.tokens',
    })
  }
  return out
}

/** Whether `host` binds only the loopback interface (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}
