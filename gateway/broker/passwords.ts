import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** scrypt parameters (RFC 7914): N=2^14, r=8, p=1, a 16-byte salt and a 32-byte key. */
const N = 16384
const R = 8
const P = 1
const KEYLEN = 32

function derive(password: string, salt: Buffer, opts: ScryptOptions, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))))
}

/** `scrypt$N$r$p$salt$key`, salt and key in base64: what `pingan hash-password` prints. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 }, KEYLEN)
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  const salt = Buffer.from(parts[4] ?? '', 'base64')
  const expected = Buffer.from(parts[5] ?? '', 'base64')
  if (!(n > 1 && r > 0 && p > 0) || expected.length === 0) return false
  const key = await derive(password, salt, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, expected.length)
  return timingSafeEqual(key, expected)
}

/** The stored hash of a configured user: the given passwordHash, or its plain password hashed now. */
export async function passwordHashOf(user: { password?: string | undefined; passwordHash?: string | undefined }): Promise<string> {
  return user.passwordHash ?? (await hashPassword(user.password ?? ''))
}
