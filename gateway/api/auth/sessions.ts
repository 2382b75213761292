import { randomBytes } from 'node:crypto'
import type { ApiRole } from '../../../config/api.js'

export interface Session {
  user: string
  role: ApiRole
  expiresAt: number
}

/** At most this many live sessions; the one closest to expiry goes first, so memory stays bounded. */
const MAX_SESSIONS = 1000

/**
 * Console logins, in memory: a restart logs everyone out (nothing secret is written to disk).
 * The id is 256 random bits; expired sessions are dropped when met and when a new one is opened.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>()

  constructor(private readonly now: () => number) {}

  open(user: string, role: ApiRole, ttlMs: number): { id: string; session: Session } {
    this.sweep()
    if (this.sessions.size >= MAX_SESSIONS) {
      const first = [...this.sessions].sort((a, b) => a[1].expiresAt - b[1].expiresAt)[0]
      if (first) this.sessions.delete(first[0])
    }
    const id = randomBytes(32).toString('base64url')
    const session = { user, role, expiresAt: this.now() + ttlMs }
    this.sessions.set(id, session)
    return { id, session }
  }

  get(id: string): Session | undefined {
    const s = this.sessions.get(id)
    if (s && s.expiresAt <= this.now()) {
      this.sessions.delete(id)
      return undefined
    }
    return s
  }

  close(id: string): void {
    this.sessions.delete(id)
  }

  private sweep(): void {
    const t = this.now()
    for (const [id, s] of this.sessions) if (s.expiresAt <= t) this.sessions.delete(id)
  }
}
