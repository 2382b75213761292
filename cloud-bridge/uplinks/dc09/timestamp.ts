/**
 * The DC-09 timestamp `_HH:MM:SS,MM-DD-YYYY`, always UTC. [SIA DC-09, timestamp field]
 */
export const TIMESTAMP_RE = /^_(\d{2}):(\d{2}):(\d{2}),(\d{2})-(\d{2})-(\d{4})$/
export const TIMESTAMP_LENGTH = 20

const two = (n: number) => String(n).padStart(2, '0')

export function formatTimestamp(ms: number): string {
  const d = new Date(ms)
  return `_${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())},${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${d.getUTCFullYear()}`
}

/** Milliseconds since the epoch, or undefined when the text is not a valid timestamp. */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP_RE.exec(text)
  if (!m) return undefined
  const [hh, mi, ss, mo, dd, yyyy] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  const ms = Date.UTC(yyyy, mo - 1, dd, hh, mi, ss)
  // Date.UTC rolls 13-45-2025 over into another date: refuse instead.
  return formatTimestamp(ms) === text ? ms : undefined
}
