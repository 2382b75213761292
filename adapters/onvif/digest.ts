import { createHash } from 'node:crypto'

/**
 * HTTP Digest access authentication, client side [RFC 7616]. Pure: the caller supplies the cnonce
 * and nonce count, and keeps them per request (a shared state would let two concurrent requests to
 * two cameras mix their nonces).
 */

/** One challenge from a WWW-Authenticate header: its scheme and auth-params [RFC 7235 §2.1]. */
export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** Node hash names of the algorithms we answer, strongest first [RFC 7616 §3.3, §6.1]. */
const ALGORITHMS: Record<string, string> = {
  'SHA-512-256': 'sha512-256',
  'SHA-256': 'sha256',
  MD5: 'md5',
}
const PREFERENCE = ['SHA-512-256', 'SHA-256', 'MD5']

/**
 * Splits WWW-Authenticate values into challenges. A camera may send several headers (Hikvision sends
 * MD5 and SHA-256 separately) or several challenges in one header, separated by commas; a quoted
 * string may contain commas (qop="auth,auth-int").
 */
export function parseChallenges(headers: readonly string[]): Challenge[] {
  const out: Challenge[] = []
  for (const header of headers) {
    const re = /\s*(?:([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)|([!#$%&'*+.^_`|~0-9A-Za-z-]+))\s*,?/gy
    let cur: Challenge | undefined
    let m: RegExpExecArray | null
    while (re.lastIndex < header.length && (m = re.exec(header)) !== null) {
      if (m[3] !== undefined) {
        // A bare token starts a new challenge (an auth-scheme); token68 forms are not used by Digest.
        cur = { scheme: m[3], params: {} }
        out.push(cur)
      } else if (cur && m[1] !== undefined) {
        let v = m[2] ?? ''
        if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1')
        cur.params[m[1].toLowerCase()] = v
      }
      if (m[0] === '') break
    }
  }
  return out
}

/** The strongest Digest challenge we can answer with qop=auth (or the legacy RFC 2069 form), if any. */
export function pickDigest(challenges: readonly Challenge[]): Challenge | undefined {
  const usable = challenges.filter((c) => {
    if (c.scheme.toLowerCase() !== 'digest' || !c.params['nonce']) return false
    const alg = (c.params['algorithm'] ?? 'MD5').replace(/-sess$/i, '').toUpperCase()
    const qop = c.params['qop']
    return alg in ALGORITHMS && (qop === undefined || qop.split(',').some((q) => q.trim() === 'auth'))
  })
  const rank = (c: Challenge): number => PREFERENCE.indexOf((c.params['algorithm'] ?? 'MD5').replace(/-sess$/i, '').toUpperCase())
  return usable.sort((a, b) => rank(a) - rank(b))[0]
}

export interface DigestInput {
  algorithm: string
  username: string
  password: string
  realm: string
  method: string
  uri: string
  nonce: string
  /** Absent for a challenge without qop (RFC 2069 compatibility). */
  qop?: 'auth'
  nc: string
  cnonce: string
}

function hashFor(algorithm: string): (s: string) => string {
  const base = algorithm.replace(/-sess$/i, '').toUpperCase()
  const name = ALGORITHMS[base]
  if (!name) throw new Error(`unsupported digest algorithm ${algorithm}`)
  return (s) => createHash(name).update(s, 'utf8').digest('hex')
}

/** The `response` value [RFC 7616 §3.4.1]. */
export function digestResponse(d: DigestInput): string {
  const H = hashFor(d.algorithm)
  let ha1 = H(`${d.username}:${d.realm}:${d.password}`)
  // [RFC 7616 §3.4.2] the -sess variants hash the nonces into A1.
  if (/-sess$/i.test(d.algorithm)) ha1 = H(`${ha1}:${d.nonce}:${d.cnonce}`)
  const ha2 = H(`${d.method}:${d.uri}`)
  if (d.qop === undefined) return H(`${ha1}:${d.nonce}:${ha2}`)
  return H(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`)
}

function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`
}

/** The Authorization header answering `challenge` [RFC 7616 §3.4]. */
export function digestAuthorization(
  challenge: Challenge,
  creds: { username: string; password: string },
  req: { method: string; uri: string; cnonce: string; nc?: number },
): string {
  const p = challenge.params
  const algorithm = p['algorithm'] ?? 'MD5'
  const qop = p['qop'] === undefined ? undefined : ('auth' as const)
  const nc = (req.nc ?? 1).toString(16).padStart(8, '0')
  const response = digestResponse({
    algorithm,
    username: creds.username,
    password: creds.password,
    realm: p['realm'] ?? '',
    method: req.method,
    uri: req.uri,
    nonce: p['nonce'] ?? '',
    nc,
    cnonce: req.cnonce,
    ...(qop ? { qop } : {}),
  })
  const parts = [
    `username=${quote(creds.username)}`,
    `realm=${quote(p['realm'] ?? '')}`,
    `uri=${quote(req.uri)}`,
    `algorithm=${algorithm}`,
    `nonce=${quote(p['nonce'] ?? '')}`,
  ]
  if (qop) parts.push(`nc=${nc}`, `cnonce=${quote(req.cnonce)}`, `qop=${qop}`)
  parts.push(`response=${quote(response)}`)
  if (p['opaque'] !== undefined) parts.push(`opaque=${quote(p['opaque'])}`)
  return `Digest ${parts.join(', ')}`
}

/** Basic credentials [RFC 7617]: sent only to a camera configured for it, never by default. */
export function basicAuthorization(creds: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`
}
