/** What every secret is replaced with. */
export const REDACTED = '[redacted]'

/**
 * A field holding a secret, by its name: passwords and their hashes, tokens, keys (TLS, DC-09
 * keyHex/keyAscii, OSDP installKey, SCBK), secrets and credentials. Caught by name so a secret
 * field added later is redacted without anyone remembering this file.
 */
const SECRET_NAME = /pass|secret|token|credential|hash|scbk|key/i
/** Where a secret is kept rather than the secret (keyStorePath): shown, it is only a path. */
const PLACE_NAME = /(Path|Dir|File)$/

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !PLACE_NAME.test(name)
}

/** `mqtts://user:pass@host`: the password in a URL's userinfo. */
function redactUrl(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/i, `$1:${REDACTED}@`)
}

function redactAll(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactAll)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED]))
  return value === undefined ? undefined : REDACTED
}

/**
 * A copy of the config with every secret replaced: each value under a secret-named field (a list
 * or object under one is redacted whole), and passwords inside URLs.
 */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === 'string') return redactUrl(value)
  if (Array.isArray(value)) return value.map(redactSecrets)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) ? redactAll(v) : redactSecrets(v)
  return out
}
