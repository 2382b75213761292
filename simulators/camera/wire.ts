import http from 'node:http'
import type { Socket } from 'node:net'
import { CameraAuth } from './auth.js'
import { snapshotJpeg } from './jpeg.js'
import { CameraModel, type PropertyName } from './model.js'
import { PullPoint, SOAP_TYPE, type PullPointOptions, type PullPointStats } from './pullpoint.js'
import * as R from './replies.js'
import { serveSoap, type SoapContext } from './soap.js'

/** Options of one simulated camera. */
export interface CameraSimOptions extends PullPointOptions {
  id: string
  username?: string
  password?: string
  /** Camera clock minus the host clock, e.g. 2 h. */
  skewMs?: number
  seed?: number
  now?: () => number
  /** WWW-Authenticate challenges for the snapshot, one header each. */
  digestAlgorithms?: string[]
  /** 'digest': every SOAP request needs HTTP Digest as well (WS-UsernameToken is still checked). */
  soapAuth?: 'token' | 'digest'
  host?: string
  port?: number
}

export interface CameraSimStats extends PullPointStats {
  snapshots: number
  authFailures: number
}

const MAX_BODY_BYTES = 64 * 1024
/** The paths the camera serves SOAP on (see replies.ts, services and subscription addresses). */
const SOAP_PATH = /^\/onvif\/(device_service|media_service|events_service|subscription_manager|subscription\/[\w-]+)$/

/** A simulated ONVIF camera on its own HTTP port: Device, Media and Events services and a JPEG. */
export class CameraSim {
  readonly model: CameraModel
  readonly stats: CameraSimStats = { creates: 0, pulls: 0, renews: 0, unsubscribes: 0, snapshots: 0, authFailures: 0, addressingFaults: 0 }
  private readonly auth: CameraAuth
  private readonly server: http.Server
  private readonly sockets = new Set<Socket>()
  private readonly pullPoint: PullPoint
  private readonly held = new Set<http.ServerResponse>()
  private silent = false
  private downUntil = 0
  private frame = 0
  private corrupt = 0
  private readonly now: () => number
  port = 0

  constructor(private readonly o: CameraSimOptions) {
    this.now = o.now ?? Date.now
    this.model = new CameraModel({
      id: o.id,
      username: o.username ?? 'admin',
      password: o.password ?? 'admin-pw',
      skewMs: o.skewMs ?? 0,
      now: this.now,
      seed: o.seed ?? 1,
    })
    this.auth = new CameraAuth(this.model)
    this.pullPoint = new PullPoint(
      this.model,
      this.stats,
      o,
      () => this.base,
      (res, status, body) => this.send(res, status, SOAP_TYPE, body),
    )
    this.server = http.createServer((req, res) => this.onRequest(req, res))
    this.server.on('connection', (s: Socket) => {
      if (this.now() < this.downUntil) return void s.destroy()
      s.setNoDelay(true)
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.port || (this.o.port ?? 0), this.o.host ?? '127.0.0.1', () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.port = (this.server.address() as { port: number }).port
    return this
  }

  get base(): string {
    return `http://${this.o.host ?? '127.0.0.1'}:${this.port}`
  }
  /** The device service address a client is configured with. */
  get deviceUrl(): string {
    return `${this.base}/onvif/device_service`
  }
  get id(): string {
    return this.model.id
  }

  // ---- scripting -------------------------------------------------------------------------
  set(name: PropertyName, active: boolean): void {
    this.model.set(name, active)
    this.pullPoint.wake()
  }
  motion(active: boolean): void {
    this.set('cellMotion', active)
  }
  lineCrossed(objectId = 1): void {
    this.model.lineCrossed(objectId)
    this.pullPoint.wake()
  }
  publish(topic: string, data: Array<[string, string]>): void {
    this.model.publish(topic, data)
    this.pullPoint.wake()
  }

  /**
   * Loses every subscription and drops every connection; resets connections for `downMs`.
   * `sensors` are what the detectors read at boot (see CameraModel.reboot).
   */
  reboot(opts: { downMs?: number; skewMs?: number; sensors?: Partial<Record<PropertyName, boolean>> } = {}): void {
    this.model.reboot(opts.skewMs, opts.sensors)
    this.downUntil = this.now() + (opts.downMs ?? 0)
    this.dropConnections()
  }

  /**
   * Power cut: every connection drops and the port refuses new ones (ECONNREFUSED) until
   * `powerOn()`. Its detectors may change meanwhile: a door contact on its digital input opens, a
   * lens gets covered.
   */
  async powerOff(): Promise<void> {
    if (!this.server.listening) return
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.dropConnections()
    await closed
  }

  /** Boots on the same port: subscriptions gone, detectors at `sensors`, the clock maybe off. */
  async powerOn(opts: { skewMs?: number; sensors?: Partial<Record<PropertyName, boolean>> } = {}): Promise<void> {
    if (this.server.listening) return
    this.model.reboot(opts.skewMs, opts.sensors)
    await this.listen()
  }

  get powered(): boolean {
    return this.server.listening
  }

  private dropConnections(): void {
    this.pullPoint.dropWaiters()
    this.held.clear()
    for (const s of this.sockets) s.destroy()
  }

  /** A silent camera accepts connections and never answers (a hung firmware, a cut cable beyond a switch). */
  silence(on: boolean): void {
    this.silent = on
    if (!on) {
      for (const res of this.held) res.destroy()
      this.held.clear()
    }
  }

  async stop(): Promise<void> {
    // Closing a powered-off camera's server reports "not running": it is stopped all the same.
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.dropConnections()
    await closed
  }

  // ---- HTTP ------------------------------------------------------------------------------
  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.silent) {
      this.held.add(res)
      req.resume()
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) req.destroy()
      else chunks.push(c)
    })
    req.on('end', () => {
      try {
        if (req.method === 'GET' && req.url?.startsWith('/snapshot/')) return this.snapshot(req, res)
        if (req.method !== 'POST') return this.send(res, 405, 'text/plain', 'method not allowed')
        // Like the field cameras' web server: nothing but the ONVIF services is there.
        if (!SOAP_PATH.test(req.url ?? '/')) return this.send(res, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>')
        if (this.o.soapAuth === 'digest' && !this.soapDigestOk(req, res)) return
        serveSoap(this.soapContext(), req.url ?? '/', Buffer.concat(chunks).toString('utf8'), res)
      } catch (err) {
        this.send(res, 500, SOAP_TYPE, R.fault('Receiver', [], String(err)))
      }
    })
  }

  private soapContext(): SoapContext {
    const { model, auth, pullPoint, stats, base } = this
    return { model, auth, pullPoint, stats, base, send: (res, status, type, body) => this.send(res, status, type, body) }
  }

  /** The next `n` SOAP replies are cut in half (a flaky firmware, a proxy in the way). */
  corruptNext(n: number): void {
    this.corrupt = n
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string | string[]> = {}): void {
    if (res.destroyed || res.headersSent) return
    if (this.corrupt > 0 && type === SOAP_TYPE) {
      this.corrupt--
      body = typeof body === 'string' ? body.slice(0, Math.floor(body.length / 2)) : body.subarray(0, Math.floor(body.length / 2))
    }
    res.writeHead(status, { 'Content-Type': type, ...headers })
    res.end(body)
  }

  /** HTTP Digest on SOAP requests too, as some firmware wants [ONVIF Core §5.12.1 allows either]. */
  private soapDigestOk(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const algorithms = this.o.digestAlgorithms ?? ['MD5', 'SHA-256']
    if (this.auth.checkDigest(req.headers.authorization, 'POST', algorithms)) return true
    if (req.headers.authorization) this.stats.authFailures++
    this.send(res, 401, 'text/plain', 'authentication required', { 'WWW-Authenticate': this.auth.challenges(algorithms, 'IP Camera') })
    return false
  }

  private snapshot(req: http.IncomingMessage, res: http.ServerResponse): void {
    const algorithms = this.o.digestAlgorithms ?? ['MD5', 'SHA-256']
    if (!this.auth.checkDigest(req.headers.authorization, 'GET', algorithms)) {
      if (req.headers.authorization) this.stats.authFailures++
      return this.send(res, 401, 'text/plain', 'authentication required', { 'WWW-Authenticate': this.auth.challenges(algorithms, 'IP Camera') })
    }
    this.stats.snapshots++
    this.send(res, 200, 'image/jpeg', snapshotJpeg(this.model.id, ++this.frame, this.model.cameraTime()))
  }
}

export async function startCamera(o: CameraSimOptions): Promise<CameraSim> {
  return new CameraSim(o).listen()
}

/** Many cameras from one process, each on its own port: `cam-001`, `cam-002`, ... */
export async function startCameras(count: number, base: Omit<CameraSimOptions, 'id'> & { prefix?: string }): Promise<CameraSim[]> {
  const out: CameraSim[] = []
  for (let i = 1; i <= count; i++) {
    out.push(await startCamera({ ...base, id: `${base.prefix ?? 'cam'}-${String(i).padStart(3, '0')}`, seed: (base.seed ?? 1) + i }))
  }
  return out
}
