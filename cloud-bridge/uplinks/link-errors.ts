import { isIP } from 'node:net'
import type { Logger } from '../../base/log.js'

/** Where the uplink connects, for every error it logs: what to check when it fails. */
export interface LinkTarget {
  host: string
  port: number
  tls: boolean
  /** The CA file the platform's certificate is verified against, or "the system CA store". */
  ca?: string
  servername?: string
}

/** OpenSSL and Node codes of a certificate that did not verify. */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
])

/** What to change when the platform's certificate does not verify; undefined for other errors. */
export function certificateFix(err: unknown, t: LinkTarget): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !CERT_CODES.has(code)) return undefined
  const ca = t.ca ?? 'the system CA store'
  const name = t.servername ?? t.host
  return code === 'ERR_TLS_CERT_ALTNAME_INVALID'
    ? `the platform's certificate does not name ${name}: connect by a name it carries, or set uplinks[].servername to it`
    : `the platform's certificate at ${t.host}:${t.port} does not verify against ${ca}: set uplinks[].ca to the CA file that signed it`
}

/**
 * The TLS server name to send: RFC 6066 §3 allows only host names in SNI, and Node warns (DEP0123)
 * when given an IP address. Verification still checks the IP against the certificate.
 */
export function serverName(host: string, configured: string | undefined): string | undefined {
  return configured ?? (isIP(host) ? undefined : host)
}

/**
 * The same error at every retry is logged once at warn; repeats go to debug with their count, so an
 * outage of hours does not fill the log. A different error, or one after a good connection, is new.
 */
export class RepeatedErrors {
  private last: string | undefined
  private repeats = 0

  constructor(
    private readonly log: Logger,
    private readonly target: LinkTarget,
  ) {}

  report(err: Error): void {
    const where = this.target
    if (err.message === this.last) {
      this.repeats++
      this.log.debug({ err, ...where, repeats: this.repeats }, 'uplink error')
      return
    }
    this.last = err.message
    this.repeats = 1
    this.log.warn({ err, ...where, fix: certificateFix(err, where) }, 'uplink error')
  }

  get lastMessage(): string | undefined {
    return this.last
  }

  /** Connected: the next error is news again. */
  clear(): void {
    this.last = undefined
    this.repeats = 0
  }
}
