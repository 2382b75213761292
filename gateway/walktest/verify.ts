import { createHash } from 'node:crypto'
import { reportHashInput } from './canonical.js'

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** The report with its `sha256` set over everything else. */
export function sealReport<R extends Record<string, unknown>>(report: R): R & { sha256: string } {
  return { ...report, sha256: sha256Hex(reportHashInput(report)) }
}

export type Verification = { ok: true; sha256: string } | { ok: false; reason: string; claimed?: string; computed?: string }

/**
 * Checks a report as read back (parsed JSON): its `sha256` must be the SHA-256 of its canonical
 * JSON without that field. Any edit of a value, a key or an added member changes the hash;
 * whitespace and key order in the file do not (they are not part of the canonical form).
 */
export function verifyReport(report: unknown): Verification {
  if (report === null || typeof report !== 'object' || Array.isArray(report)) return { ok: false, reason: 'a report is a JSON object' }
  const claimed = (report as Record<string, unknown>)['sha256']
  if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/.test(claimed)) return { ok: false, reason: 'the report has no sha256 of 64 lowercase hex digits' }
  const computed = sha256Hex(reportHashInput(report as Record<string, unknown>))
  return computed === claimed
    ? { ok: true, sha256: claimed }
    : { ok: false, reason: 'the report was changed after it was sealed: its sha256 does not match its content', claimed, computed }
}

/** Verifies a report file's text (JSON); a file that is not JSON fails with the parser's reason. */
export function verifyReportText(text: string): Verification {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` }
  }
  return verifyReport(parsed)
}
