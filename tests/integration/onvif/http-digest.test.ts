import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { CameraAuthError, requestWithAuth } from '../../../adapters/onvif/http.js'
import { startCamera, type CameraSim } from '../../../simulators/camera/wire.js'

const REQ = { method: 'GET' as const, timeoutMs: 2000, maxBytes: 1024 * 1024 }
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

async function camera(id: string, digestAlgorithms: string[]): Promise<CameraSim> {
  const cam = await startCamera({ id, username: 'admin', password: `${id}-pw`, digestAlgorithms })
  closers.push(() => cam.stop())
  return cam
}

/** A server that records the Authorization headers it gets and answers with `respond`. */
async function server(respond: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) {
  const seen: Array<string | undefined> = []
  const s = http.createServer((req, res) => {
    seen.push(req.headers.authorization)
    respond(req, res, seen.length)
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  closers.push(() => new Promise((r) => s.close(() => r())))
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}/snap.jpg`, seen }
}

describe('HTTP Digest client against cameras', () => {
  it.each([[['MD5']], [['SHA-256']], [['MD5', 'SHA-256']], [['SHA-256', 'MD5']]])('answers a camera offering %j, preferring SHA-256', async (algs) => {
    const cam = await camera('cam-d', algs)
    const res = await requestWithAuth(`${cam.base}/snapshot/Profile_1.jpg`, REQ, { username: 'admin', password: 'cam-d-pw' }, 'cam-d')
    expect(res.status).toBe(200)
    expect(res.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]))
  })

  it('keeps state per request: concurrent snapshots from two cameras each get their own JPEG', async () => {
    const a = await camera('cam-a', ['MD5', 'SHA-256'])
    const b = await camera('cam-b', ['SHA-256'])
    const jobs = Array.from({ length: 20 }, (_v, i) => {
      const cam = i % 2 === 0 ? a : b
      return requestWithAuth(`${cam.base}/snapshot/Profile_1.jpg`, REQ, { username: 'admin', password: `${cam.id}-pw` }, cam.id).then(
        (r) => [cam.id, r] as const,
      )
    })
    for (const [id, r] of await Promise.all(jobs)) {
      expect(r.status).toBe(200)
      expect(r.body.toString('latin1')).toContain(`camera ${id} `)
    }
    expect(a.stats.authFailures + b.stats.authFailures).toBe(0)
  })

  it('names the camera when the password is wrong', async () => {
    const cam = await camera('cam-e', ['MD5'])
    await expect(requestWithAuth(`${cam.base}/snapshot/Profile_1.jpg`, REQ, { username: 'admin', password: 'nope' }, 'cam-e')).rejects.toThrow(
      new CameraAuthError('camera cam-e refused the user name "admin" or its password (HTTP Digest)'),
    )
  })

  it('never sends Basic credentials unless configured, even when only Basic is offered', async () => {
    const s = await server((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end())
    await expect(requestWithAuth(s.url, REQ, { username: 'admin', password: 'pw' }, 'cam-b')).rejects.toThrow(/asks for authentication we do not use \(Basic\)/)
    expect(s.seen).toEqual([undefined])
  })

  it('sends Basic up front only to a camera configured for it', async () => {
    const s = await server((req, res) =>
      res.writeHead(req.headers.authorization === `Basic ${Buffer.from('admin:pw').toString('base64')}` ? 200 : 401).end('ok'),
    )
    const res = await requestWithAuth(s.url, REQ, { username: 'admin', password: 'pw', basic: true }, 'cam-old')
    expect(res.status).toBe(200)
    expect(s.seen).toHaveLength(1)
  })

  it('answers a stale=true challenge once with the new nonce', async () => {
    const challenge = (nonce: string, stale: boolean) => `Digest realm="r", qop="auth", nonce="${nonce}"${stale ? ', stale=true' : ''}`
    const s = await server((req, res, n) => {
      if (n === 1) return res.writeHead(401, { 'WWW-Authenticate': challenge('n1', false) }).end()
      if (n === 2) return res.writeHead(401, { 'WWW-Authenticate': challenge('n2', true) }).end()
      res.writeHead(String(req.headers.authorization).includes('nonce="n2"') ? 200 : 401).end('jpeg')
    })
    const res = await requestWithAuth(s.url, REQ, { username: 'admin', password: 'pw' }, 'cam-s')
    expect(res.status).toBe(200)
    expect(s.seen).toHaveLength(3)
  })
})
