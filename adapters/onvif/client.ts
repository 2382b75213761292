import type http from 'node:http'
import { randomBytes, randomUUID } from 'node:crypto'
import type { Document } from '@xmldom/xmldom'
import { CodecError, TransportError } from '../../base/errors.js'
import { CameraAddressError, CameraAuthError, requestWithAuth, type Credentials } from './http.js'
import * as ops from './soap.js'
import * as rsp from './responses.js'
import { usernameTokenHeader } from './username-token.js'
import { NS, parseXml } from './xml.js'

/** A SOAP fault from the camera; `fault.resourceUnknown` means the subscription is gone. */
export class SoapFaultError extends TransportError {
  constructor(
    message: string,
    readonly fault: rsp.SoapFault,
  ) {
    super(message)
  }
}

export interface ClientOptions {
  /** The camera's config id: every error names it. */
  label: string
  /** The device service, e.g. http://10.0.0.7/onvif/device_service. */
  deviceUrl: string
  creds?: Credentials
  now(): number
  timeoutMs: number
  maxResponseBytes: number
  agent?: http.Agent
}

/**
 * A thin ONVIF SOAP client for one camera. It holds the camera's clock offset and service addresses,
 * nothing else: authentication state is per request (see http.ts).
 */
export class OnvifClient {
  /** Camera clock minus ours, from the last GetSystemDateAndTime. */
  clockOffsetMs = 0
  /** Whether `clockOffsetMs` was measured (until then it is an assumption). */
  clockMeasured = false
  services: Record<string, string> = {}

  constructor(private readonly o: ClientOptions) {}

  get label(): string {
    return this.o.label
  }

  /** One SOAP request. `auth: false` for the operations ONVIF allows before authentication. */
  async call(
    url: string,
    op: ops.SoapOperation,
    opts: { auth?: boolean; timeoutMs?: number; referenceParameters?: readonly string[]; signal?: AbortSignal; subscription?: boolean } = {},
  ): Promise<Document> {
    const auth = opts.auth !== false && this.o.creds !== undefined
    const security =
      auth && this.o.creds
        ? usernameTokenHeader({
            username: this.o.creds.username,
            password: this.o.creds.password,
            cameraTimeMs: this.o.now() + this.clockOffsetMs,
            nonce: randomBytes(16),
          })
        : undefined
    const xml = ops.envelope({
      op,
      to: url,
      messageId: `urn:uuid:${randomUUID()}`,
      ...(security ? { security } : {}),
      ...(opts.referenceParameters ? { referenceParameters: opts.referenceParameters } : {}),
    })
    const name = op.action.slice(op.action.lastIndexOf('/') + 1).replace(/Request$/, '')
    const res = await requestWithAuth(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': `application/soap+xml; charset=utf-8; action="${op.action}"` },
        body: xml,
        timeoutMs: opts.timeoutMs ?? this.o.timeoutMs,
        maxBytes: this.o.maxResponseBytes,
        ...(this.o.agent ? { agent: this.o.agent } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      // Pre-authentication operations go without a token; if the firmware asks for HTTP Digest anyway
      // (some want it on every request), answer it, but never volunteer Basic for them.
      auth ? this.o.creds : this.o.creds && { ...this.o.creds, basic: false },
      this.o.label,
    )
    if (res.status === 404 && url === this.o.deviceUrl) {
      // Nothing there: the configured address is not the camera's device service.
      throw new CameraAddressError(
        `camera ${this.o.label}: nothing at ${url} (HTTP 404): the address is wrong; ` +
          'an ONVIF device service address ends in /onvif/device_service (or give the host and port only)',
      )
    }
    if (res.status === 401 && !this.o.creds) throw this.noCredentials(name)
    let doc: Document | undefined
    try {
      doc = parseXml(res.body.toString('utf8'))
    } catch (err) {
      if (res.status === 404 && opts.subscription) throw this.gone(name, `HTTP 404`)
      if (res.status !== 200) throw new TransportError(`camera ${this.o.label}: ${name} answered HTTP ${res.status}`)
      throw new CodecError(`camera ${this.o.label}: ${name} answered malformed XML`, { cause: err })
    }
    const fault = rsp.parseFault(doc)
    if (fault) {
      if (fault.notAuthorized) {
        if (!this.o.creds) throw this.noCredentials(name)
        throw new CameraAuthError(
          `camera ${this.o.label} refused the user name "${this.o.creds.username}" or its password ` +
            `(WS-UsernameToken, ${name}): check the credentials in its config`,
        )
      }
      throw new SoapFaultError(`camera ${this.o.label}: ${name} fault ${fault.subcodes.join(' ') || fault.code} ${fault.reason}`.trim(), fault)
    }
    if (res.status === 404 && opts.subscription) throw this.gone(name, 'HTTP 404')
    if (res.status !== 200) throw new TransportError(`camera ${this.o.label}: ${name} answered HTTP ${res.status}`)
    return doc
  }

  private noCredentials(name: string): CameraAuthError {
    return new CameraAuthError(
      `camera ${this.o.label} wants credentials for ${name}, but its config has no username: ` +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own `${VAR}` syntax, shown to the user
        'set username and password (the password from the environment, e.g. "${CAM_PASSWORD}")',
    )
  }

  private gone(name: string, why: string): SoapFaultError {
    const fault = { code: 'Sender', subcodes: [], reason: why, resourceUnknown: true, notAuthorized: false }
    return new SoapFaultError(`camera ${this.o.label}: ${name}: ${why}`, fault)
  }

  /**
   * Unauthenticated GetSystemDateAndTime [ONVIF Core §5.12.1]: measures the clock offset against the
   * midpoint of the exchange (the camera reports whole seconds, so the error is about ±0.5 s).
   */
  async measureClock(timeoutMs?: number): Promise<number> {
    const t0 = this.o.now()
    const doc = await this.call(this.o.deviceUrl, ops.getSystemDateAndTime(), { auth: false, ...(timeoutMs ? { timeoutMs } : {}) })
    const t1 = this.o.now()
    const camera = rsp.parseSystemDateAndTime(doc)
    // The camera truncates to whole seconds: its true time is half a second later on average.
    this.clockOffsetMs = camera + 500 - Math.round((t0 + t1) / 2)
    this.clockMeasured = true
    return this.clockOffsetMs
  }

  /** Service addresses: GetServices, or GetCapabilities on cameras without it. */
  async discoverServices(): Promise<Record<string, string>> {
    try {
      this.services = rsp.parseServices(await this.call(this.o.deviceUrl, ops.getServices()))
    } catch (err) {
      if (err instanceof CameraAuthError) throw err
      this.services = rsp.parseCapabilities(await this.call(this.o.deviceUrl, ops.getCapabilities()))
    }
    return this.services
  }

  private service(ns: string, what: string): string {
    const url = this.services[ns]
    if (!url) throw new TransportError(`camera ${this.o.label} offers no ${what} service`)
    return url
  }

  async deviceInformation(): Promise<rsp.DeviceInformation> {
    return rsp.parseDeviceInformation(await this.call(this.o.deviceUrl, ops.getDeviceInformation()))
  }

  async profiles(): Promise<rsp.Profile[]> {
    return rsp.parseProfiles(await this.call(this.service(NS.trt, 'Media'), ops.getProfiles()))
  }

  async snapshotUri(profileToken: string): Promise<string> {
    return rsp.parseSnapshotUri(await this.call(this.service(NS.trt, 'Media'), ops.getSnapshotUri(profileToken)))
  }

  async createPullPoint(terminationMs: number): Promise<rsp.Subscription> {
    return rsp.parseSubscription(await this.call(this.service(NS.tev, 'Events'), ops.createPullPointSubscription(terminationMs)))
  }

  async pull(sub: rsp.Subscription, timeoutMs: number, limit: number, signal?: AbortSignal): Promise<rsp.PullResult> {
    const doc = await this.call(sub.address, ops.pullMessages(timeoutMs, limit), {
      subscription: true,
      referenceParameters: sub.referenceParameters,
      // The camera holds the request up to `timeoutMs`; give the network a margin beyond it.
      timeoutMs: timeoutMs + this.o.timeoutMs,
      ...(signal ? { signal } : {}),
    })
    return rsp.parsePullMessages(doc)
  }

  async renew(sub: rsp.Subscription, terminationMs: number): Promise<rsp.SubscriptionTimes> {
    return rsp.parseRenew(await this.call(sub.address, ops.renew(terminationMs), { subscription: true, referenceParameters: sub.referenceParameters }))
  }

  async unsubscribe(sub: rsp.Subscription): Promise<void> {
    await this.call(sub.address, ops.unsubscribe(), { subscription: true, referenceParameters: sub.referenceParameters })
  }

  /** A JPEG from the snapshot URI, with HTTP Digest when the camera asks for it. */
  async fetchSnapshot(uri: string, maxBytes: number, timeoutMs: number): Promise<Buffer> {
    const res = await requestWithAuth(uri, { method: 'GET', timeoutMs, maxBytes, ...(this.o.agent ? { agent: this.o.agent } : {}) }, this.o.creds, this.o.label)
    if (res.status !== 200) throw new TransportError(`camera ${this.o.label}: snapshot answered HTTP ${res.status}`)
    return res.body
  }
}
