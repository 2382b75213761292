import { afterEach, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { Journal } from '../../gateway/journal/journal.js'
import { IngestGate } from '../../gateway/broker/ingest-gate.js'
import { LocalBroker } from '../../gateway/broker/broker.js'
import type { IngestBudgetLimits } from '../../gateway/broker/ingest-budget.js'
import { hashPassword } from '../../gateway/broker/passwords.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { topics } from '../../base/events/topics.js'
import type { AppendInput } from '../../gateway/journal/journal.js'
import { captureLog } from '../helpers/logs.js'

const SITE = 'bound-site'
const PASSWORD = 'producer-secret'

interface Rig {
  broker: LocalBroker
  port: number
  /** `device:n` in the order the gate handed events to the journal. */
  appended: string[]
  /** Commits handed to the journal and not settled yet, and the most at once: measured outside the broker. */
  atGate: { now: number; peak: number }
  /** Lets the journal commit (until then the gate's commits wait). */
  open(): void
}

/** A real broker, gate and journal; `devices` producers `p{i}` each speaking for device `dev-{i}`. */
async function rig(dir: string, devices: number, bound: IngestBudgetLimits, held: boolean): Promise<{ rig: Rig; journal: Journal }> {
  const logs = captureLog('info')
  const ids = new UuidV7Generator()
  const journal = await Journal.open({
    path: join(dir, 'journal.db'),
    maxRows: 100_000,
    maxBytes: 1 << 28,
    maxAgeMs: 86_400_000,
    spareBytes: 0,
    batchMaxEvents: 100,
    uplinks: [],
    log: logs.log,
    now: Date.now,
  })
  let open: () => void = () => undefined
  const opened = held
    ? new Promise<void>((r) => {
        open = r
      })
    : Promise.resolve()
  const appended: string[] = []
  const atGate = { now: 0, peak: 0 }
  const names = Array.from({ length: devices }, (_, i) => `dev-${i}`)
  const gate = new IngestGate({
    devices: new Map(names.map((d) => [d, { site: SITE, device: d, kind: 'access', location: {} }])),
    maxPayloadBytes: 65_536,
    newId: () => ids.next(),
    now: Date.now,
    log: logs.log,
    commit: async (input: AppendInput) => {
      atGate.now++
      atGate.peak = Math.max(atGate.peak, atGate.now)
      try {
        await opened
        appended.push(`${input.event.device}:${String(input.event.attrs?.['n'])}`)
        return await journal.append(input)
      } finally {
        atGate.now--
      }
    },
    reportRejection: async () => undefined,
  })
  const hash = await hashPassword(PASSWORD)
  const broker = new LocalBroker({
    site: SITE,
    host: '127.0.0.1',
    port: 0,
    allowAnonymous: false,
    gate,
    log: logs.log,
    ingestBudget: bound,
    users: names.map((d, i) => ({ username: `p${i}`, passwordHash: hash, role: 'producer' as const, devices: [d] })),
  })
  const port = await broker.start()
  return { rig: { broker, port, appended, atGate, open }, journal }
}

function connect(port: number, i: number): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: `p${i}`, password: PASSWORD, reconnectPeriod: 0 })
}

/** Publishes `count` events for dev-{i} at once; resolves with their PUBACKs. */
function burst(client: MqttClient, i: number, count: number, from = 0): Promise<unknown> {
  return Promise.all(
    Array.from({ length: count }, (_, k) =>
      client.publishAsync(topics.ingest(SITE, `dev-${i}`), JSON.stringify({ type: 'door.open', attrs: { n: from + k } }), { qos: 1 }),
    ),
  )
}

describe('the bound on ingest publishes in flight', () => {
  let dir: string | undefined
  let journal: Journal | undefined
  let broker: LocalBroker | undefined
  const clients: MqttClient[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.end(true)
    await broker?.stop()
    await journal?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    broker = undefined
  })

  it.each([
    ['count', { maxInflight: 4, maxInflightBytes: 1_000_000 }],
    ['bytes', { maxInflight: 1000, maxInflightBytes: 200 }],
  ] as const)("holds the %s bound across producers, and commits and acknowledges every event in each device's order", async (_, bound) => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-bound-'))
    const producers = 5
    const each = 60
    const made = await rig(dir, producers, bound, false)
    journal = made.journal
    broker = made.rig.broker
    const r = made.rig
    for (let i = 0; i < producers; i++) clients.push(await connect(r.port, i))
    await Promise.all(clients.map((c, i) => burst(c, i, each)))

    // One payload is about 45 bytes: the byte bound of 200 allows 4 at once.
    const payloadBytes = JSON.stringify({ type: 'door.open', attrs: { n: 10 } }).length
    const allowed = Math.min(bound.maxInflight, Math.floor(bound.maxInflightBytes / payloadBytes))
    expect(r.atGate.peak).toBeLessThanOrEqual(allowed)
    expect(r.broker.ingest.peakInflight).toBeLessThanOrEqual(allowed)
    expect(r.broker.ingest.peakInflightBytes).toBeLessThanOrEqual(bound.maxInflightBytes)
    expect(r.broker.ingest.deferred).toBeGreaterThan(0)
    expect(r.broker.ingest.inflight).toBe(0)
    expect(r.broker.ingest.waiting).toBe(0)
    for (let i = 0; i < producers; i++) {
      expect(journal.lastSeqOf(`dev-${i}`)).toBe(each)
      const order = r.appended.filter((a) => a.startsWith(`dev-${i}:`)).map((a) => Number(a.split(':')[1]))
      expect(order).toEqual(Array.from({ length: each }, (_, k) => k))
    }
  })

  it("lets a quiet producer's event through while a flooding producer waits for room", async () => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-fair-'))
    const bound = { maxInflight: 4, maxInflightBytes: 1_000_000 }
    const made = await rig(dir, 2, bound, true)
    journal = made.journal
    broker = made.rig.broker
    const r = made.rig
    const flood = await connect(r.port, 0)
    const quiet = await connect(r.port, 1)
    clients.push(flood, quiet)
    const flooded = burst(flood, 0, 300)
    // The journal is held: 4 are in flight and the rest of what was read waits.
    await vi.waitFor(() => expect(r.broker.ingest.waiting).toBeGreaterThanOrEqual(20), { timeout: 10_000, interval: 5 })
    const ahead = r.broker.ingest.waiting
    const alarm = quiet.publishAsync(topics.ingest(SITE, 'dev-1'), JSON.stringify({ type: 'door.forced', attrs: { n: 0 } }), { qos: 1 })
    await vi.waitFor(() => expect(r.broker.ingest.waiting).toBe(ahead + 1), { timeout: 10_000, interval: 5 })
    r.open()
    await Promise.all([flooded, alarm])

    // The 4 in flight, then connections take turns: the alarm is at most the 6th appended, not behind the flood's backlog.
    expect(r.appended.indexOf('dev-1:0')).toBeLessThan(bound.maxInflight + 2)
    expect(r.atGate.peak).toBeLessThanOrEqual(bound.maxInflight)
    expect(journal.lastSeqOf('dev-0')).toBe(300)
    expect(journal.lastSeqOf('dev-1')).toBe(1)
  })
})
