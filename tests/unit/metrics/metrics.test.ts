import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { Journal } from '../../../gateway/journal/journal.js'
import { IngestGate } from '../../../gateway/broker/ingest-gate.js'
import { buildEvent, type DeviceIdentity } from '../../../base/events/event.js'
import { UuidV7Generator } from '../../../base/events/uuidv7.js'
import { DeviceStates } from '../../../gateway/device-states.js'
import { Forwarder } from '../../../cloud-bridge/forwarder.js'
import { GatewayMetrics, type MetricsSources } from '../../../gateway/metrics/metrics.js'
import type { MetricsAdapter } from '../../../gateway/metrics/sources.js'
import { FakeUplink } from '../../helpers/fake-uplink.js'
import { promValue } from '../../helpers/prom-text.js'

// The metrics over a real journal (SQLite in a temp dir), a real ingest gate and a real forwarder;
// the uplink is the interface-boundary fake the forwarder tests use.

const log = pino({ level: 'silent' })
const T0 = Date.parse('2026-12-01T08:00:00Z')
const PANEL: DeviceIdentity = { site: 's', device: 'panel-1', kind: 'alarm', location: {} }
const READER: DeviceIdentity = { site: 's', device: 'reader-1', kind: 'access', location: {} }
const cleanups: Array<() => Promise<void> | void> = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(opts: { maxRows?: number; adapters?: Map<string, MetricsAdapter> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pingan-metrics-'))
  let now = T0
  const journal = await Journal.open({
    path: join(dir, 'journal.db'),
    maxRows: opts.maxRows ?? 10_000,
    maxBytes: 64 * 1024 ** 2,
    maxAgeMs: 86_400_000,
    spareBytes: 0,
    batchMaxEvents: 500,
    uplinks: ['platform'],
    log,
    now: () => now,
  })
  const metrics = new GatewayMetrics(journal, opts.maxRows ?? 10_000)
  const uplink = new FakeUplink()
  const forwarder = new Forwarder({ uplink, outbox: journal, log, now: () => now, maxAttempts: 3, onParked: () => undefined })
  const ids = new UuidV7Generator()
  const gate = new IngestGate({
    devices: new Map([[READER.device, READER]]),
    maxPayloadBytes: 1024,
    newId: () => ids.next(),
    now: () => now,
    commit: (input) => journal.append(input),
    reportRejection: async () => undefined,
    log,
  })
  const states = new DeviceStates(
    () => undefined,
    () => now,
  )
  states.register(PANEL.device, PANEL.kind, undefined)
  states.register(READER.device, READER.kind, undefined)
  const sources: MetricsSources = {
    gate,
    adapters: opts.adapters ?? new Map(),
    devices: () => states.all(),
    broker: { connectedClients: () => 2, refusedLogins: 1, refusedPublishes: 0, refusedSubscribes: 0, cutConnections: 0 },
    uplinks: [{ uplink, status: () => forwarder.status() }],
  }
  metrics.attach(sources)
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => journal.close(),
    () => forwarder.stop(0),
    () => metrics.close(),
  )
  const commit = (who: DeviceIdentity, type: string) => journal.append({ event: buildEvent(who, { type }, ids.next(), now) })
  return {
    journal,
    metrics,
    uplink,
    forwarder,
    gate,
    states,
    commit,
    setNow: (t: number) => {
      now = t
    },
  }
}

describe('gateway metrics', () => {
  it('counts committed events by kind and type, ingest refusals by reason and evictions by reason', async () => {
    const g = await setup({ maxRows: 10 })
    await Promise.all([g.commit(PANEL, 'fire'), g.commit(PANEL, 'fire'), g.commit(PANEL, 'intrusion')])
    expect((await g.gate.accept(READER.device, Buffer.from('{"type":"access.granted"}'), 'vendor')).accepted).toBe(true)
    await g.gate.accept(READER.device, Buffer.from('{not json'), 'vendor')
    await g.gate.accept('nobody', Buffer.from('{}'), 'vendor')
    await g.gate.accept(READER.device, Buffer.from('{"type":"no.such.type"}'), 'vendor')
    let text = await g.metrics.scrape()
    expect(promValue(text, 'pingan_events_committed_total', { kind: 'alarm', type: 'fire' })).toBe(2)
    expect(promValue(text, 'pingan_events_committed_total', { kind: 'alarm', type: 'intrusion' })).toBe(1)
    expect(promValue(text, 'pingan_events_committed_total', { kind: 'access', type: 'access.granted' })).toBe(1)
    expect(promValue(text, 'pingan_ingest_accepted_total')).toBe(1)
    expect(promValue(text, 'pingan_ingest_rejected_total', { reason: 'not-json' })).toBe(1)
    expect(promValue(text, 'pingan_ingest_rejected_total', { reason: 'unknown-device' })).toBe(1)
    expect(promValue(text, 'pingan_ingest_rejected_total', { reason: 'unknown-type' })).toBe(1)
    expect(promValue(text, 'pingan_journal_rows')).toBe(4)
    expect(promValue(text, 'pingan_journal_max_rows')).toBe(10)
    expect(promValue(text, 'pingan_journal_bytes')).toBeGreaterThan(0)
    expect(promValue(text, 'pingan_journal_evicted_events_total', { reason: 'rows' })).toBeUndefined()

    // Past 10 rows the journal evicts down to its low-water mark (95 %: 9 rows), undelivered ones here.
    await Promise.all(Array.from({ length: 8 }, () => g.commit(PANEL, 'test')))
    text = await g.metrics.scrape()
    expect(promValue(text, 'pingan_journal_evicted_events_total', { reason: 'rows', delivery: 'undelivered' })).toBe(3)
    expect(promValue(text, 'pingan_journal_rows')).toBe(9)
    expect(promValue(text, 'pingan_events_committed_total', { kind: 'alarm', type: 'test' })).toBe(8)
    expect(promValue(text, 'pingan_broker_refused_total', { what: 'login' })).toBe(1)
  })

  it('a repeat of a committed event is not counted again', async () => {
    const g = await setup()
    const event = buildEvent(PANEL, { type: 'fire' }, new UuidV7Generator().next(), T0)
    await g.journal.append({ event })
    expect((await g.journal.append({ event, checkId: true })).duplicate).toBe(true)
    expect(promValue(await g.metrics.scrape(), 'pingan_events_committed_total', { type: 'fire' })).toBe(1)
  })

  it("reports each uplink's state, backlog, oldest undelivered age and deliveries", async () => {
    const g = await setup()
    g.uplink.hold = true
    g.forwarder.start()
    g.uplink.start()
    await Promise.all([g.commit(PANEL, 'fire'), g.commit(PANEL, 'test')])
    await g.uplink.sentCount(2)
    g.setNow(T0 + 90_000)
    let text = await g.metrics.scrape()
    expect(promValue(text, 'pingan_uplink_state', { uplink: 'platform', state: 'up' })).toBe(1)
    expect(promValue(text, 'pingan_uplink_state', { uplink: 'platform', state: 'down' })).toBe(0)
    expect(promValue(text, 'pingan_uplink_backlog_events', { uplink: 'platform' })).toBe(2)
    expect(promValue(text, 'pingan_uplink_inflight_events', { uplink: 'platform' })).toBe(2)
    expect(promValue(text, 'pingan_uplink_oldest_undelivered_seconds', { uplink: 'platform' })).toBe(90)
    expect(promValue(text, 'pingan_uplink_parked_events', { uplink: 'platform' })).toBe(0)
    expect(promValue(text, 'pingan_uplink_delivered_events_total', { uplink: 'platform' })).toBe(0)

    g.uplink.release()
    // Acknowledgements reach the outbox with the journal's next write: wait for the backlog to empty.
    while ((await g.forwarder.status()).backlog > 0 || (await g.forwarder.status()).oldestUndeliveredAgeMs !== null) await new Promise((r) => setImmediate(r))
    g.uplink.drop()
    text = await g.metrics.scrape()
    expect(promValue(text, 'pingan_uplink_delivered_events_total', { uplink: 'platform' })).toBe(2)
    expect(promValue(text, 'pingan_uplink_oldest_undelivered_seconds', { uplink: 'platform' })).toBe(0)
    expect(promValue(text, 'pingan_uplink_state', { uplink: 'platform', state: 'down' })).toBe(1)
  })

  it("reports devices online and link counters from health(), else the adapter's stats()", async () => {
    const adapters = new Map<string, MetricsAdapter>([
      [
        PANEL.device,
        { health: () => ({ online: true, lastSeenAt: T0, info: {}, link: { frames: 120, retries: 3, crcErrors: 2, timeouts: 1, droppedBytes: 17 } }) },
      ],
      [READER.device, { stats: () => ({ pullErrors: 4, resubscribes: 1 }) }],
    ])
    const g = await setup({ adapters })
    const text = await g.metrics.scrape()
    expect(promValue(text, 'pingan_device_online', { device: 'panel-1', kind: 'alarm' })).toBe(1)
    expect(promValue(text, 'pingan_device_online', { device: 'reader-1', kind: 'access' })).toBe(0)
    expect(promValue(text, 'pingan_device_link_frames_total', { device: 'panel-1' })).toBe(120)
    expect(promValue(text, 'pingan_device_link_crc_errors_total', { device: 'panel-1' })).toBe(2)
    expect(promValue(text, 'pingan_device_link_dropped_bytes_total', { device: 'panel-1' })).toBe(17)
    expect(promValue(text, 'pingan_device_link_frames_total', { device: 'reader-1' })).toBeUndefined()
    expect(promValue(text, 'pingan_device_last_seen_timestamp_seconds', { device: 'panel-1' })).toBe(T0 / 1000)
    expect(promValue(text, 'pingan_device_adapter_stat', { device: 'reader-1', stat: 'pullErrors' })).toBe(4)
    expect(promValue(text, 'pingan_device_adapter_stat', { device: 'panel-1' })).toBeUndefined()
    g.states.set(READER.device, { online: true })
    expect(promValue(await g.metrics.scrape(), 'pingan_device_online', { device: 'reader-1' })).toBe(1)
  })

  it('two gateways in one process keep their own figures, with process metrics in each', async () => {
    const a = await setup()
    const b = await setup()
    await a.commit(PANEL, 'fire')
    const [ta, tb] = [await a.metrics.scrape(), await b.metrics.scrape()]
    expect(promValue(ta, 'pingan_events_committed_total', { type: 'fire' })).toBe(1)
    expect(promValue(tb, 'pingan_events_committed_total', { type: 'fire' })).toBeUndefined()
    expect(promValue(ta, 'process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(promValue(tb, 'process_resident_memory_bytes')).toBeGreaterThan(0)
  })
})
