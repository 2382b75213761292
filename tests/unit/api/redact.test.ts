import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../config/load.js'
import { REDACTED, redactSecrets } from '../../../gateway/api/redact.js'

const EXAMPLES = resolve(import.meta.dirname, '../../../config/examples')

/** A distinct value of the right shape for each secret an example takes from the environment. */
function marker(name: string, i: number): string {
  const n = String(i).padStart(2, '0')
  if (name.endsWith('_HASH')) return `scrypt$16384$8$1$bWFya2Vy${n}$c2VjcmV0${n}`
  if (name.endsWith('_KEY')) return `c0ffee${n}`.padEnd(32, '7')
  return `marker-${name.toLowerCase()}-${n}-0123456789`
}

/** Every leaf's path and value. */
function leaves(v: unknown, path: string[] = []): Array<[string, unknown]> {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...path, String(i)]))
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leaves(x, [...path, k]))
  return [[path.join('.'), v]]
}

describe('GET /config redaction', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'))

  it.each(files)('%s: no secret the example takes from the environment survives, and each one is shown redacted', (file) => {
    const text = readFileSync(join(EXAMPLES, file), 'utf8')
    // ${NAME} in YAML values only: the comments' examples are not read by the loader.
    const names = [...new Set([...text.matchAll(/^[^#\n]*\$\{([A-Z0-9_]+)\}/gm)].map((m) => m[1]!))]
    const env = Object.fromEntries(names.map((n, i) => [n, marker(n, i)]))
    const config = parseConfig(text, file, EXAMPLES, env)
    const before = leaves(config)
    const secretPaths = before
      .filter(([, v]) => typeof v === 'string' && Object.values(env).some((m) => v.toLowerCase().includes(m.toLowerCase())))
      .map(([p]) => p)
    expect(secretPaths.length).toBeGreaterThan(0)
    const redacted = redactSecrets(config)
    const out = JSON.stringify(redacted).toLowerCase()
    for (const m of Object.values(env)) expect(out, `${file}: a value from the environment`).not.toContain(m.toLowerCase())
    const after = new Map(leaves(redacted))
    for (const p of secretPaths) expect(after.get(p), p).toBe(REDACTED)
  })

  it('catches secrets by their names wherever they are, passwords in URLs, and leaves paths and plain settings alone', () => {
    const out = redactSecrets({
      uplinks: [{ url: 'mqtts://site:hunter2@platform.example:8883', key: '/etc/pingan/client.key', cert: '/etc/pingan/client.pem', username: 'site' }],
      future: { apiSecret: 's1', clientKey: 's2', bearerToken: 's3', credentials: { user: 'u', pass: 'p' }, sharedKeys: ['k1', 'k2'] },
      devices: [{ id: 'door-bus-1', keyStorePath: '/var/lib/pingan/osdp-keys.json', installKey: '303132333435363738393a3b3c3d3e3f', pollIntervalMs: 100 }],
    })
    expect(out).toEqual({
      uplinks: [{ url: `mqtts://site:${REDACTED}@platform.example:8883`, key: REDACTED, cert: '/etc/pingan/client.pem', username: 'site' }],
      future: {
        apiSecret: REDACTED,
        clientKey: REDACTED,
        bearerToken: REDACTED,
        credentials: { user: REDACTED, pass: REDACTED },
        sharedKeys: [REDACTED, REDACTED],
      },
      devices: [{ id: 'door-bus-1', keyStorePath: '/var/lib/pingan/osdp-keys.json', installKey: REDACTED, pollIntervalMs: 100 }],
    })
  })
})
