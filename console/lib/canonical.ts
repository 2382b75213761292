/**
 * The walk-test report's hash (API-CONTRACT.md): SHA-256, hex, of the canonical JSON of the report
 * without its `sha256` field: object keys sorted, no whitespace, arrays in order, undefined members
 * left out. The console checks a downloaded report itself, not by asking the gateway that made it;
 * it keeps its own copy of gateway/walktest/canonical.ts (the console imports nothing of the
 * gateway) and tests/unit/console/canonical.test.ts checks both agree.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** SHA-256 (hex) with Web Crypto: the same in the browser and in Node. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Whether a downloaded report's `sha256` is the hash of the rest of it. */
export async function verifyReport(report: Record<string, unknown>): Promise<{ ok: boolean; expected: string; actual: string }> {
  const { sha256, ...rest } = report
  const actual = await sha256Hex(canonicalJson(rest))
  return { ok: actual === sha256, expected: String(sha256), actual }
}
