/**
 * Canonical JSON for the walk test report's hash: object keys sorted by UTF-16 code unit (as
 * `Array.prototype.sort` does), no whitespace, array order kept, members whose value is
 * `undefined` left out, strings and numbers as `JSON.stringify` writes them. The hash is SHA-256
 * over its UTF-8 bytes. Pure and free of Node APIs, so the console can check a report in a browser
 * (with `crypto.subtle.digest`).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value)
    // JSON has no undefined, function or symbol: a report never holds one at the top of a member.
    if (s === undefined) throw new TypeError(`cannot put a ${typeof value} in canonical JSON`)
    return s
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  const obj = value as Record<string, unknown>
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`
}

/** What the report's `sha256` covers: the report without that field, in canonical JSON. */
export function reportHashInput(report: Record<string, unknown>): string {
  const { sha256: _omitted, ...rest } = report
  return canonicalJson(rest)
}
