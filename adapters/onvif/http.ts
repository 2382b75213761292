import http from 'node:http'
import https from 'node:https'
import { randomBytes } from 'node:crypto'
import { TransportError } from '../../base/errors.js'
import { basicAuthorization, digestAuthorization, parseChallenges, pickDigest } from './digest.js'

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** Every WWW-Authenticate value, separately (node joins repeated headers in `headers`). */
  authenticate: string[]
  body: Buffer
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  timeoutMs: number
  maxBytes: number
  signal?: AbortSignal
  agent?: http.Agent
}

/** The camera answers but refuses what we configured: an installer must act; retrying will not help. */
export class CameraSetupError extends TransportError {}

/** The camera refused our credentials. */
export class CameraAuthError extends CameraSetupError {}

/** The address answers, but it is not an ONVIF device service (HTTP 404 there): the address is wrong. */
export class CameraAddressError extends CameraSetupError {}

/** No answer at all: connection refused or reset, unreachable host, or no reply within the deadline. */
export class CameraUnreachableError extends TransportError {}

/** One HTTP exchange with a deadline and a response size cap. */
export function httpRequest(url: string, req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const lib = u.protocol === 'https:' ? https : http
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8')
    const headers: Record<string, string | number> = { ...req.headers }
    if (body) headers['Content-Length'] = body.length
    const r = lib.request(
      u,
      { method: req.method, headers, ...(req.agent ? { agent: req.agent } : {}), ...(req.signal ? { signal: req.signal } : {}) },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > req.maxBytes) {
            res.destroy()
            reject(new TransportError(`${u.host}: response larger than ${req.maxBytes} bytes`))
            return
          }
          chunks.push(c)
        })
        res.on('error', (err) => reject(new CameraUnreachableError(`${u.host}: ${err.message}`, { cause: err })))
        res.on('end', () => {
          const authenticate: string[] = []
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            if (res.rawHeaders[i]?.toLowerCase() === 'www-authenticate') authenticate.push(res.rawHeaders[i + 1] ?? '')
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, authenticate, body: Buffer.concat(chunks) })
        })
      },
    )
    r.setTimeout(req.timeoutMs, () => r.destroy(new CameraUnreachableError(`${u.host}: no answer within ${req.timeoutMs} ms`)))
    r.setNoDelay(true)
    r.on('error', (err) => reject(err instanceof TransportError ? err : new CameraUnreachableError(`${u.host}: ${err.message}`, { cause: err })))
    r.end(body)
  })
}

export interface Credentials {
  username: string
  password: string
  /** Send Basic credentials up front. Only for cameras configured so: it exposes the password. */
  basic?: boolean
}

/**
 * A request that answers an HTTP Digest challenge [RFC 7616]. The challenge, cnonce and nonce count
 * live in this call only: concurrent requests (and cameras) never share authentication state.
 * `label` names the camera in errors.
 */
export async function requestWithAuth(url: string, req: HttpRequest, creds: Credentials | undefined, label: string): Promise<HttpResponse> {
  const first: HttpRequest = creds?.basic ? { ...req, headers: { ...req.headers, Authorization: basicAuthorization(creds) } } : req
  const res = await httpRequest(url, first)
  if (res.status !== 401 || !creds) return res
  if (creds.basic) throw new CameraAuthError(`camera ${label} refused the user name or password (Basic)`)
  const challenge = pickDigest(parseChallenges(res.authenticate))
  if (!challenge) {
    const offered = res.authenticate.map((h) => h.split(' ')[0]).join(', ') || 'none'
    throw new CameraAuthError(`camera ${label} asks for authentication we do not use (${offered}); Basic is off unless configured`)
  }
  const u = new URL(url)
  const answer = (c: NonNullable<typeof challenge>): HttpRequest => ({
    ...req,
    headers: {
      ...req.headers,
      Authorization: digestAuthorization(c, creds, { method: req.method, uri: u.pathname + u.search, cnonce: randomBytes(16).toString('hex'), nc: 1 }),
    },
  })
  let second = await httpRequest(url, answer(challenge))
  if (second.status === 401) {
    // [RFC 7616 §3.3] stale=true: our answer was right but the nonce expired; answer the new one once.
    const fresh = pickDigest(parseChallenges(second.authenticate))
    if (fresh && fresh.params['stale']?.toLowerCase() === 'true') second = await httpRequest(url, answer(fresh))
  }
  if (second.status === 401) {
    throw new CameraAuthError(`camera ${label} refused the user name "${creds.username}" or its password (HTTP Digest)`)
  }
  return second
}
