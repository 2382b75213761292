import type { Element } from '@xmldom/xmldom'
import { digestResponse, parseChallenges } from '../../adapters/onvif/digest.js'
import { passwordDigest } from '../../adapters/onvif/username-token.js'
import { NS, child, path, textOf } from '../../adapters/onvif/xml.js'
import type { CameraModel } from './model.js'

/**
 * The camera's side of authentication. The digest and UsernameToken arithmetic is the adapter's,
 * which the RFC 7616 and UsernameToken vectors pin; the checks around it (clock window, nonce
 * replay, which nonces were issued) are the camera's own.
 */

export type TokenVerdict = 'ok' | 'missing' | 'bad-credentials' | 'clock' | 'replay'

/** How far Created may be from the camera's clock [ONVIF Core §5.12.2 leaves it to the device]. */
export const CREATED_WINDOW_MS = 5 * 60_000

export class CameraAuth {
  private readonly seenNonces = new Map<string, number>()
  private readonly issued = new Set<string>()

  constructor(private readonly model: CameraModel) {}

  /** Checks the wsse:Security header of a request envelope. */
  checkUsernameToken(header: Element | undefined): TokenVerdict {
    const token = header ? path(header, [NS.wsse, 'Security'], [NS.wsse, 'UsernameToken']) : undefined
    if (!token) return 'missing'
    const username = textOf(child(token, NS.wsse, 'Username'))
    const password = textOf(child(token, NS.wsse, 'Password'))
    const nonce = textOf(child(token, NS.wsse, 'Nonce'))
    const created = textOf(child(token, NS.wsu, 'Created'))
    if (!username || !password || !nonce || !created) return 'missing'
    if (username !== this.model.username) return 'bad-credentials'
    if (passwordDigest(Buffer.from(nonce, 'base64'), created, this.model.password) !== password) return 'bad-credentials'
    const t = Date.parse(created)
    const now = this.model.cameraTime()
    if (!Number.isFinite(t) || Math.abs(t - now) > CREATED_WINDOW_MS) return 'clock'
    // Replay cache for the window's length [WSS UsernameToken Profile 1.0 §3.1 recommends one].
    for (const [n, at] of this.seenNonces) if (now - at > CREATED_WINDOW_MS) this.seenNonces.delete(n)
    if (this.seenNonces.has(nonce)) return 'replay'
    this.seenNonces.set(nonce, now)
    return 'ok'
  }

  /** WWW-Authenticate values: one per algorithm, as cameras that added SHA-256 send them. */
  challenges(algorithms: readonly string[], realm: string): string[] {
    return algorithms.map((alg) => {
      const nonce = this.model.randomHex(16)
      this.issued.add(nonce)
      if (this.issued.size > 1000) this.issued.delete(this.issued.values().next().value as string)
      return `Digest realm="${realm}", qop="auth", algorithm=${alg}, nonce="${nonce}", opaque="${this.model.id}"`
    })
  }

  /** Checks an Authorization header against a nonce we issued [RFC 7616 §3.4]. */
  checkDigest(authorization: string | undefined, method: string, algorithms: readonly string[]): boolean {
    if (!authorization) return false
    const c = parseChallenges([authorization])[0]
    if (c?.scheme.toLowerCase() !== 'digest') return false
    const p = c.params
    const algorithm = p['algorithm'] ?? 'MD5'
    if (!algorithms.includes(algorithm) || !p['nonce'] || !this.issued.has(p['nonce'])) return false
    if (p['username'] !== this.model.username || !p['uri'] || !p['response']) return false
    const expected = digestResponse({
      algorithm,
      username: this.model.username,
      password: this.model.password,
      realm: p['realm'] ?? '',
      method,
      uri: p['uri'],
      nonce: p['nonce'],
      nc: p['nc'] ?? '',
      cnonce: p['cnonce'] ?? '',
      ...(p['qop'] === 'auth' ? { qop: 'auth' as const } : {}),
    })
    if (expected !== p['response']) return false
    this.issued.delete(p['nonce'])
    return true
  }
}
