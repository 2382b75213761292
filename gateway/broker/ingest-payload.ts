import { z } from 'zod'
import { KINDS } from '../../base/events/types.js'
import type { IngestPayloadSchema } from '../../base/events/event.js'

type IngestPayload = z.infer<typeof IngestPayloadSchema>

/**
 * The ingest payload's common case checked by hand: every event a producer sends passes here, and
 * zod's parse (a copy of the object, its attrs and its issue bookkeeping) cost measurable
 * allocation per event. `IngestPayloadSchema` stays the definition: this accepts only what it
 * accepts, returns the same value, and answers `undefined` for anything else (then zod decides
 * and explains). Pure.
 */

/** zod's own patterns, so a string passes here exactly when it passes the schema. */
const UUID_RE = z.regexes.uuid()
const DATETIME_RE = z.regexes.datetime({ offset: true })

/** Longest string per optional field, as in `IngestPayloadSchema` and `LocationSchema`. */
const MAX_LENGTH: Readonly<Record<string, number>> = { zone: 64, user: 64, raw: 4096, grid: 64, building: 64, unit: 64, area: 128 }
const KIND_SET: ReadonlySet<unknown> = new Set(KINDS)

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function fieldOk(key: string, v: unknown): boolean {
  switch (key) {
    case 'type':
      return typeof v === 'string' && v.length >= 1 && v.length <= 64
    case 'id':
      return typeof v === 'string' && UUID_RE.test(v)
    case 'occurredAt':
      return typeof v === 'string' && DATETIME_RE.test(v)
    case 'kind':
      return KIND_SET.has(v)
    case 'priority':
      return v === 1 || v === 2 || v === 3 || v === 4
    // A key zod would copy differently (`__proto__`) is left to zod.
    case 'attrs':
      return isPlainObject(v) && !Object.hasOwn(v, '__proto__')
    default: {
      const max = MAX_LENGTH[key]
      return max !== undefined && typeof v === 'string' && v.length <= max
    }
  }
}

/** The payload when it plainly meets `IngestPayloadSchema`; undefined when zod must decide. */
export function quickIngestPayload(json: unknown): IngestPayload | undefined {
  if (!isPlainObject(json) || typeof json['type'] !== 'string' || Object.hasOwn(json, '__proto__')) return undefined
  for (const key in json) {
    const v = json[key]
    // An explicit undefined cannot come from JSON text; zod would keep it, this would too.
    if (v === undefined || !fieldOk(key, v)) return undefined
  }
  return json as IngestPayload
}
