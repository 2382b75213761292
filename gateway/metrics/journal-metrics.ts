import { Counter, type Registry } from 'prom-client'
import type { Journal } from '../journal/journal.js'
import type { GatewayEvent } from '../../base/events/event.js'
import type { OutboxRow } from '../journal/outbox.js'
import type { EvictionReport } from '../journal/eviction.js'
import { stateCounter, stateGauge } from './define.js'

/**
 * The journal's figures. Events committed and evictions are counted as the journal reports them
 * (the `committed` and `evicted` events): their labels (kind, type, reason) exist nowhere else.
 * Levels and limits are read at scrape time. Returns what stops the counting.
 */
export function journalMetrics(registry: Registry, journal: Pick<Journal, 'on' | 'off' | 'stats'>, maxRows: number): () => void {
  const committed = new Counter({
    name: 'pingan_events_committed_total',
    help: 'Events committed to the journal (duplicates not counted), by kind and type.',
    labelNames: ['kind', 'type'],
    registers: [registry],
  })
  const evicted = new Counter({
    name: 'pingan_journal_evicted_events_total',
    help: 'Events the journal evicted to stay within its bounds, by reason (rows, bytes, age, disk-full) and whether every uplink had them.',
    labelNames: ['reason', 'delivery'],
    registers: [registry],
  })
  // Counted per commit, one increment per kind and type: prom-client hashes the labels on each call.
  const onCommitted = (_rows: OutboxRow[], events: GatewayEvent[]) => {
    const byLabels = new Map<string, { labels: { kind: string; type: string }; n: number }>()
    for (const ev of events) {
      const key = `${ev.kind}\u0000${ev.type}`
      const hit = byLabels.get(key)
      if (hit) hit.n++
      else byLabels.set(key, { labels: { kind: ev.kind, type: ev.type }, n: 1 })
    }
    for (const { labels, n } of byLabels.values()) committed.inc(labels, n)
  }
  const onEvicted = (r: EvictionReport) => {
    if (r.delivered > 0) evicted.inc({ reason: r.reason, delivery: 'delivered' }, r.delivered)
    if (r.undelivered > 0) evicted.inc({ reason: r.reason, delivery: 'undelivered' }, r.undelivered)
  }
  journal.on('committed', onCommitted)
  journal.on('evicted', onEvicted)

  stateGauge(registry, { name: 'pingan_journal_rows', help: 'Events held in the journal.', read: () => [[{}, journal.stats().rows]] })
  stateGauge(registry, { name: 'pingan_journal_bytes', help: 'Bytes of event bodies held in the journal.', read: () => [[{}, journal.stats().bytes]] })
  stateGauge(registry, { name: 'pingan_journal_max_rows', help: "The journal's row bound (journal.maxRows).", read: () => [[{}, maxRows]] })
  stateGauge(registry, {
    name: 'pingan_journal_max_bytes',
    help: "The journal's byte bound in force (journal.maxBytes, or less on a small disk).",
    read: () => [[{}, journal.stats().maxBytes]],
  })
  stateGauge(registry, {
    name: 'pingan_journal_full',
    help: '1 while commits fail because the disk or database is full.',
    read: () => [[{}, journal.stats().full ? 1 : 0]],
  })
  stateCounter(registry, { name: 'pingan_journal_commits_total', help: 'Group commits written.', read: () => [[{}, journal.stats().commits]] })
  stateCounter(registry, {
    name: 'pingan_journal_refused_events_total',
    help: 'Events the journal refused: full (disk or database full; the device was not acknowledged), order (an earlier event of the device was refused and not yet sent again) or unstorable (refused alone).',
    labelNames: ['reason'],
    read: () => {
      const s = journal.stats()
      return [
        [{ reason: 'full' }, s.refusedFull],
        [{ reason: 'order' }, s.refusedForOrder],
        [{ reason: 'unstorable' }, s.unstorable],
      ]
    },
  })
  stateCounter(registry, {
    name: 'pingan_journal_failed_commits_total',
    help: "Commits that failed for the journal's own reason (I/O, busy); their events were refused, to be sent again.",
    read: () => [[{}, journal.stats().failedCommits]],
  })
  return () => {
    journal.off('committed', onCommitted)
    journal.off('evicted', onEvicted)
  }
}
