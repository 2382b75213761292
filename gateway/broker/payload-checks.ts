import { isUtf8 } from 'node:buffer'

/**
 * Checks an ingest payload's bytes before anything parses them. Pure: bytes or text in, a finding out.
 */

/**
 * Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1.
 * Well-formed per [Unicode 15 §3.9, Table 3-7]: no overlong forms, no surrogates (U+D800-DFFF),
 * nothing above U+10FFFF, no truncated sequence. `Buffer.toString('utf8')` would silently turn
 * each of these into U+FFFD and the event would be stored altered.
 */
export function invalidUtf8At(buf: Uint8Array): number {
  if (isUtf8(buf)) return -1 // native and strict (simdutf); the scan below only finds the offset
  let i = 0
  const n = buf.length
  while (i < n) {
    const b = buf[i]!
    if (b < 0x80) {
      i++
      continue
    }
    // [lo, hi] bounds the second byte (Table 3-7); later bytes are 0x80-0xBF.
    let len: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) len = 2
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3
      if (b === 0xe0) lo = 0xa0 // overlong
      if (b === 0xed) hi = 0x9f // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4
      if (b === 0xf0) lo = 0x90 // overlong
      if (b === 0xf4) hi = 0x8f // above U+10FFFF
    } else return i
    if (i + len > n) return i
    const second = buf[i + 1]!
    if (second < lo || second > hi) return i
    for (let k = 2; k < len; k++) {
      const c = buf[i + k]!
      if (c < 0x80 || c > 0xbf) return i
    }
    i += len
  }
  return -1
}

/**
 * True when JSON text nests objects and arrays deeper than `limit` (the top-level value is level 1).
 * A scan, not a parse: it needs no stack, so it is safe on the input that would overflow one.
 * Brackets inside strings do not count [RFC 8259 §7]. Meant for text that JSON.parse accepts.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  if (bracketsAtMost(text, limit)) return false // most payloads: a few native searches, no scan
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: the next char is escaped
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/** True when `text` holds at most `limit` opening brackets in all, so it cannot nest deeper. */
function bracketsAtMost(text: string, limit: number): boolean {
  let n = 0
  for (const open of ['{', '[']) {
    for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) if (++n > limit) return false
  }
  return true
}
