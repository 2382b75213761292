import { timingSafeEqual } from 'node:crypto'
import type { AedesOptions, AuthenticateError } from 'aedes'

/** Who may connect and what sites may publish. */
export interface AccessRules {
  /** Accepted logins; none means anyone may connect. */
  users?: Array<{ username: string; password: string }>
  /**
   * Topic filters the sites' account may not publish. Like RabbitMQ, the broker then closes the
   * connection: MQTT 3.1.1 has no negative PUBACK, a server may only ack or close [MQTT-3.3.5-2].
   */
  refusePublish?: string[]
}

/** Where the hooks record what they saw. */
export interface AccessLog {
  /** Topics whose publish was refused (the connection was closed on each). */
  refused: string[]
  /** The TLS server name (SNI) each TLS client sent; false when it sent none. */
  servernames: Array<string | false>
}

/** The broker's login, connect and publish hooks for these rules. */
export function accessHooks(rules: AccessRules, log: AccessLog): Pick<AedesOptions, 'authenticate' | 'preConnect' | 'authorizePublish'> {
  const users = rules.users ?? []
  return {
    authenticate: (_client, username, password, done) => {
      if (users.length === 0) return done(null, true)
      const ok = users.some((u) => u.username === username && password !== undefined && same(u.password, password.toString()))
      if (ok) return done(null, true)
      done(Object.assign(new Error('bad username or password'), { returnCode: 4 as const }) as AuthenticateError, false)
    },
    preConnect: (client, _packet, done) => {
      const conn = client.conn as { servername?: string | false; encrypted?: boolean }
      if (conn.encrypted) log.servernames.push(conn.servername ?? false)
      done(null, true)
    },
    authorizePublish: (client, packet, done) => {
      // Only what sites send: the simulator's own command publishes have no client.
      if (client && (rules.refusePublish ?? []).some((f) => topicMatches(f, packet.topic))) {
        log.refused.push(packet.topic)
        return done(new Error(`not authorized to publish to ${packet.topic}`))
      }
      done(null)
    },
  }
}

/** A concrete topic against an MQTT filter [MQTT-4.7.1]. */
function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false
  }
  return f.length === t.length
}

/** Passwords compared in constant time. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
