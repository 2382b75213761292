/**
 * The history checker every chaos scenario ends with. It compares what producers and devices were
 * acknowledged (the gateway's promise) with what the platform received, and reports each way the
 * promise "an acknowledged event reaches the platform, once after dedupe by id, in order per
 * device" can break. Pure: no I/O, no clock.
 */

/** One message a producer or device sent, and whether the gateway acknowledged it. */
export interface Sent {
  device: string
  /** The producer's own order for this device (rises by one per message). */
  n: number
  /** The gateway's event id when the producer can see it (an MQTT producer supplies its own). */
  id?: string
  /** A field the producer put in the message that reaches the platform unchanged (e.g. a counter). */
  probe: string
  /** When the gateway acknowledged it (ms, the checker's clock); absent: never acknowledged. */
  ackedAt?: number
  /** When it was (last) sent, for acknowledgement latency. */
  sentAt?: number
}

/** One event as the platform received it, duplicates included, in arrival order. */
export interface Arrival {
  id: string
  device: string
  /** The gateway's per-device sequence number. */
  seq: number
  /** The producer's probe, read back from the event (absent when the event carries none). */
  probe?: string
  arrivedAt: number
  /**
   * Made by the gateway for this device, not sent by it (device.online/offline supervision): it
   * takes a seq, so it counts for seq order and gaps, but matches no message.
   */
  supervision?: boolean
}

export interface OrderViolation {
  device: string
  /** The producer's order of the event that arrived late, and of the one it should have preceded. */
  n: number
  afterN: number
  /** Their seqs: a higher seq on the late one means the gateway committed them out of order. */
  seq: number
  afterSeq: number
}

export interface DelayFigures {
  count: number
  p50: number
  p99: number
  max: number
}

export interface CheckReport {
  sent: number
  acked: number
  /** Distinct events (by id) that arrived. */
  arrivedUnique: number
  /** Acknowledged and never arrived: the promise broken. */
  lost: Sent[]
  /** Arrived, never sent by anyone we know. */
  unexpected: Arrival[]
  /** Extra copies of an id (at-least-once allows them: the platform dedupes by id). */
  duplicateIds: number
  /** One message stored as two events (different ids, same device and probe): dedupe cannot merge them. */
  duplicateContent: Array<{ device: string; probe: string; ids: string[] }>
  /** Per device, an event that arrived (first copy) after one the producer sent later. */
  orderViolations: OrderViolation[]
  /** Per device, the gateway's seq not rising on first copies. */
  seqViolations: number
  /** Per device, seq numbers skipped between first copies (committed events that never arrived), unexplained. */
  seqGaps: number
  /** Skipped seqs the gateway reported evicting undelivered (`journal.evicted`'s undeliveredSeqs). */
  seqGapsExplained: number
  /** Acknowledgement to first arrival, ms (negative clamped to 0: the forwarder may beat the PUBACK). */
  delayMs: DelayFigures
  /** True when nothing above breaks the promise (duplicate ids do not). */
  ok: boolean
}

export interface CheckOptions {
  /** Seq gaps are expected where the journal evicts (a full disk); not in a crash scenario. */
  allowSeqGaps?: boolean
  /** Per device, seq ranges the gateway reported evicting undelivered: gaps there are explained. */
  evictedSeqs?: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>
}

const key = (device: string, probe: string): string => `${device}\u0000${probe}`

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export function delayFigures(values: number[]): DelayFigures {
  const sorted = [...values].sort((a, b) => a - b)
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 }
}

/** Checks a history. `sent` in any order; `arrivals` in the order the platform received them. */
export function checkHistory(sent: readonly Sent[], arrivals: readonly Arrival[], opts: CheckOptions = {}): CheckReport {
  const byId = new Map<string, Sent>()
  const byProbe = new Map<string, Sent>()
  for (const s of sent) {
    if (s.id !== undefined) byId.set(s.id, s)
    byProbe.set(key(s.device, s.probe), s)
  }
  const match = (a: Arrival): Sent | undefined => {
    const hit = byId.get(a.id)
    if (hit) return hit.device === a.device ? hit : undefined
    if (a.probe === undefined) return undefined
    // An unknown id with a known probe: the message was stored as a second event.
    return byProbe.get(key(a.device, a.probe))
  }

  const firstArrival = new Map<string, Arrival>()
  const idsOfMessage = new Map<Sent, Set<string>>()
  const unexpected: Arrival[] = []
  let duplicateIds = 0
  const lastN = new Map<string, { n: number; seq: number }>()
  const lastSeq = new Map<string, number>()
  const orderViolations: OrderViolation[] = []
  let seqViolations = 0
  let seqGaps = 0
  let seqGapsExplained = 0
  const explained = (device: string, seq: number): boolean => (opts.evictedSeqs?.get(device) ?? []).some(([from, to]) => seq >= from && seq <= to)
  for (const a of arrivals) {
    if (firstArrival.has(a.id)) {
      duplicateIds++
      continue
    }
    firstArrival.set(a.id, a)
    const prevSeq = lastSeq.get(a.device)
    if (prevSeq !== undefined && a.seq <= prevSeq) seqViolations++
    else {
      for (let s = (prevSeq ?? a.seq) + 1; s < a.seq; s++) {
        if (explained(a.device, s)) seqGapsExplained++
        else seqGaps++
      }
      lastSeq.set(a.device, a.seq)
    }
    if (a.supervision) continue
    const s = match(a)
    if (!s) {
      unexpected.push(a)
      continue
    }
    const ids = idsOfMessage.get(s) ?? new Set<string>()
    ids.add(a.id)
    idsOfMessage.set(s, ids)
    if (ids.size > 1) continue // a second event for one message: counted below, not an order point
    const prev = lastN.get(a.device)
    if (prev !== undefined && s.n < prev.n) orderViolations.push({ device: a.device, n: s.n, afterN: prev.n, seq: a.seq, afterSeq: prev.seq })
    else lastN.set(a.device, { n: s.n, seq: a.seq })
  }

  const lost: Sent[] = []
  const delays: number[] = []
  let acked = 0
  for (const s of sent) {
    if (s.ackedAt === undefined) continue
    acked++
    const ids = idsOfMessage.get(s)
    if (!ids) {
      lost.push(s)
      continue
    }
    const first = Math.min(...[...ids].map((id) => firstArrival.get(id)!.arrivedAt))
    delays.push(Math.max(0, first - s.ackedAt))
  }
  const duplicateContent = [...idsOfMessage].filter(([, ids]) => ids.size > 1).map(([s, ids]) => ({ device: s.device, probe: s.probe, ids: [...ids] }))

  const report: CheckReport = {
    sent: sent.length,
    acked,
    arrivedUnique: firstArrival.size,
    lost,
    unexpected,
    duplicateIds,
    duplicateContent,
    orderViolations,
    seqViolations,
    seqGaps,
    seqGapsExplained,
    delayMs: delayFigures(delays),
    ok: false,
  }
  report.ok =
    lost.length === 0 &&
    unexpected.length === 0 &&
    duplicateContent.length === 0 &&
    orderViolations.length === 0 &&
    seqViolations === 0 &&
    (opts.allowSeqGaps === true || seqGaps === 0)
  return report
}

/** One line for a log or a failing assertion: the counts, and the first few of each problem. */
export function summarize(r: CheckReport): string {
  const head =
    `sent ${r.sent}, acked ${r.acked}, arrived ${r.arrivedUnique}; lost ${r.lost.length}, unexpected ${r.unexpected.length}, ` +
    `duplicate ids ${r.duplicateIds}, duplicate content ${r.duplicateContent.length}, order ${r.orderViolations.length}, ` +
    `seq order ${r.seqViolations}, seq gaps ${r.seqGaps}; ack->arrival p50 ${r.delayMs.p50} ms p99 ${r.delayMs.p99} ms max ${r.delayMs.max} ms`
  const samples = [
    ...r.lost.slice(0, 3).map((s) => `lost ${s.device} #${s.n} ${s.id ?? s.probe}`),
    ...r.unexpected.slice(0, 3).map((a) => `unexpected ${a.device} seq ${a.seq} ${a.id}`),
    ...r.duplicateContent.slice(0, 3).map((d) => `stored twice ${d.device} probe ${d.probe}: ${d.ids.join(', ')}`),
    ...r.orderViolations.slice(0, 3).map((o) => `order ${o.device}: #${o.n} (seq ${o.seq}) after #${o.afterN} (seq ${o.afterSeq})`),
  ]
  return samples.length ? `${head}\n  ${samples.join('\n  ')}` : head
}
