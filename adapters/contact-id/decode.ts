import type { EventInput, Location } from '../../base/events/event.js'
import { isKnownType } from '../../base/events/types.js'
import type { ContactIdEvent, Qualifier } from './codec.js'
import type { ContactIdDeviceConfig } from './config.js'
import { defaultCodeTable, type CodeEntry, type CodeTable } from './event-codes.js'

/** Everything decoding needs from the device's config, resolved once. */
export interface Decoder {
  codes: CodeTable
  zones: ContactIdDeviceConfig['zones']
  accounts: ContactIdDeviceConfig['accounts']
  dedupeWindowMs: number
}

export function createDecoder(cfg: Pick<ContactIdDeviceConfig, 'zones' | 'accounts' | 'codes' | 'dedupeWindowMs'>): Decoder {
  const codes = defaultCodeTable()
  for (const [code, o] of Object.entries(cfg.codes)) {
    const base = codes.get(code)
    codes.set(code, { ...base, ...o, label: o.label ?? base?.label ?? `Code ${code}` } as CodeEntry)
  }
  return { codes, zones: cfg.zones, accounts: cfg.accounts, dedupeWindowMs: cfg.dedupeWindowMs }
}

const QUALIFIER_NAME: Readonly<Record<Qualifier, string>> = { E: 'new', R: 'restore', P: 'previous' }

/** Where the event came through: the receiver and its line, when it was relayed. */
export interface Via {
  receiver?: string
  line?: string
}

/**
 * A Contact ID event as a normalized alarm event. Pure. Unknown codes become `other` with the raw
 * code in attrs: never dropped. `text` is the message as received, used as the dedupe identity
 * (a retransmission is byte-identical, and merged only when it follows its original on the same
 * receiver line) and kept as `raw` for audit.
 */
export function decodeEvent(e: ContactIdEvent, via: Via, text: string, d: Decoder): EventInput {
  const entry = d.codes.get(e.code)
  const account = d.accounts[e.account]
  const attrs: Record<string, unknown> = {
    account: e.account,
    code: e.code,
    qualifier: QUALIFIER_NAME[e.qualifier],
    group: e.group,
    description: entry?.label ?? `Unknown Contact ID code ${e.code}`,
  }
  if (account?.name !== undefined) attrs['accountName'] = account.name
  if (via.receiver !== undefined) attrs['receiver'] = via.receiver
  if (via.line !== undefined) attrs['line'] = via.line
  const ev: EventInput = {
    type: typeFor(entry, e.qualifier),
    raw: text,
    dedupeKey: `cid:${text}`,
    dedupeWindowMs: d.dedupeWindowMs,
    // The receiver repeats the message at the head of a line's queue until it sees our ACK, so a
    // retransmission is the latest message of its line; a panel's own line is one source.
    dedupeScope: via.receiver === undefined ? 'cid:panel' : `cid:${via.receiver}/${via.line ?? ''}`,
    attrs,
  }
  if (entry?.priority !== undefined) ev.priority = entry.priority
  if (entry?.subject === 'user') {
    ev.user = e.zone
  } else {
    const zone = account?.zones[e.zone] ?? d.zones[e.zone]
    attrs['zone'] = e.zone
    ev.zone = zone?.name ?? e.zone
    const location = mergeLocation(account?.location, zone?.location)
    if (location) ev.location = location
  }
  return ev
}

/** [DC-05 §3.3] qualifier 1 new event / opening, 3 restore / closing, 6 still present. */
function typeFor(entry: CodeEntry | undefined, q: Qualifier): string {
  if (!entry) return 'other'
  if (q !== 'R') return entry.type
  if (entry.restore !== undefined) return entry.restore
  const restore = `${entry.type}.restore`
  return isKnownType('alarm', restore) ? restore : entry.type
}

function mergeLocation(...parts: Array<Location | undefined>): Location | undefined {
  const defined = parts.filter((p): p is Location => p !== undefined)
  return defined.length === 0 ? undefined : Object.assign({}, ...defined)
}
