import { timingSafeEqual } from 'node:crypto'
import type { ApiConfig, ApiRole } from '../../../config/api.js'
import { passwordHashOf, verifyPassword } from '../../broker/passwords.js'

interface StoredUser {
  name: string
  role: ApiRole
  passwordHash: string
}

interface StoredToken {
  secret: Buffer
  role: ApiRole
  /** How the token shows up in logs: its position in api.tokens, never its text. */
  name: string
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The configured users (passwords hashed as the broker's) and machine tokens. */
export class Credentials {
  private constructor(
    private readonly users: Map<string, StoredUser>,
    private readonly tokens: StoredToken[],
    /** Verified against when the name is unknown, so a wrong name costs as long as a wrong password. */
    private readonly decoy: string,
  ) {}

  static async create(api: Pick<ApiConfig, 'users' | 'tokens'>): Promise<Credentials> {
    const users = new Map<string, StoredUser>()
    for (const u of api.users) users.set(u.name, { name: u.name, role: u.role, passwordHash: await passwordHashOf(u) })
    const tokens = api.tokens.map((t, i): StoredToken => {
      const [secret, role] = typeof t === 'string' ? [t, 'operator' as const] : [t.token, t.role]
      return { secret: Buffer.from(secret), role, name: `token#${i}` }
    })
    return new Credentials(users, tokens, await passwordHashOf({ password: 'decoy-password' }))
  }

  async login(name: string, password: string): Promise<{ name: string; role: ApiRole } | undefined> {
    const user = this.users.get(name)
    const ok = await verifyPassword(password, user?.passwordHash ?? this.decoy)
    return ok && user ? { name: user.name, role: user.role } : undefined
  }

  bearer(token: string): { name: string; role: ApiRole } | undefined {
    const given = Buffer.from(token)
    const t = this.tokens.find((x) => sameBytes(x.secret, given))
    return t ? { name: t.name, role: t.role } : undefined
  }
}
