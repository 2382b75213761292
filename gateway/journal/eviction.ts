/**
 * How much the journal must free before a commit, and in what order. Pure: no SQL here.
 *
 * Order (ARCHITECTURE.md): delivered events first, oldest first; then undelivered ones from the
 * lowest priority (4) up, oldest first within a priority. Freeing goes down to a low-water mark
 * below the limit, so a full journal evicts in chunks instead of on every commit.
 */
export interface JournalLimits {
  maxRows: number
  maxBytes: number
}

export interface JournalLevel {
  rows: number
  bytes: number
}

export const LOW_WATER = 0.95

export interface EvictionNeed {
  rows: number
  bytes: number
}

/** Rows and bytes to free before adding `incoming`; zero when the journal stays within its limits. */
export function evictionNeed(level: JournalLevel, incoming: JournalLevel, limits: JournalLimits): EvictionNeed {
  const rowsAfter = level.rows + incoming.rows
  const bytesAfter = level.bytes + incoming.bytes
  if (rowsAfter <= limits.maxRows && bytesAfter <= limits.maxBytes) return { rows: 0, bytes: 0 }
  return {
    rows: Math.max(0, rowsAfter - Math.floor(limits.maxRows * LOW_WATER)),
    bytes: Math.max(0, bytesAfter - Math.floor(limits.maxBytes * LOW_WATER)),
  }
}

export interface Candidate {
  pos: number
  bytes: number
  priority: number
  device: string
  /** The event's per-device seq: an undelivered one leaves a gap the report must explain. */
  seq: number
}

/** Takes candidates in the given order until both needs are met; returns what was taken. */
export function takeUntil(candidates: readonly Candidate[], need: EvictionNeed): { taken: Candidate[]; rest: EvictionNeed } {
  const taken: Candidate[] = []
  let rows = need.rows
  let bytes = need.bytes
  for (const c of candidates) {
    if (rows <= 0 && bytes <= 0) break
    taken.push(c)
    rows--
    bytes -= c.bytes
  }
  return { taken, rest: { rows: Math.max(0, rows), bytes: Math.max(0, bytes) } }
}

/** The order in which undelivered events are given up: lowest priority first. */
export const UNDELIVERED_EVICTION_ORDER = [4, 3, 2, 1] as const

/** What one eviction dropped, for the `journal.evicted` gateway event. */
export interface EvictionReport {
  reason: 'rows' | 'bytes' | 'age' | 'disk-full'
  delivered: number
  undelivered: number
  undeliveredByPriority: Record<string, number>
  devices: string[]
  /**
   * Per device, the seqs of the undelivered events evicted, as inclusive ranges `[from, to]`. The
   * platform sees these numbers missing from the device's sequence: they are the only gaps the
   * gateway makes on purpose (a failed commit hands out no seq), and this report explains them.
   */
  undeliveredSeqs: Record<string, Array<[number, number]>>
  bytes: number
}

/** Sorted seqs as inclusive ranges: 3,4,5,9 -> [3,5],[9,9]. */
export function seqRanges(seqs: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const s of [...seqs].sort((a, b) => a - b)) {
    const last = out[out.length - 1]
    if (last && s === last[1] + 1) last[1] = s
    else if (!last || s > last[1]) out.push([s, s])
  }
  return out
}

export function summarize(reason: EvictionReport['reason'], delivered: Candidate[], undelivered: Candidate[]): EvictionReport {
  const byPriority: Record<string, number> = {}
  const seqs = new Map<string, number[]>()
  for (const c of undelivered) {
    byPriority[c.priority] = (byPriority[c.priority] ?? 0) + 1
    const list = seqs.get(c.device)
    if (list) list.push(c.seq)
    else seqs.set(c.device, [c.seq])
  }
  return {
    reason,
    delivered: delivered.length,
    undelivered: undelivered.length,
    undeliveredByPriority: byPriority,
    devices: [...seqs.keys()].sort(),
    undeliveredSeqs: Object.fromEntries([...seqs.keys()].sort().map((d) => [d, seqRanges(seqs.get(d)!)])),
    bytes: [...delivered, ...undelivered].reduce((s, c) => s + c.bytes, 0),
  }
}
