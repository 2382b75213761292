import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import sqlite3 from 'sqlite3'
import { Journal } from '../../gateway/journal/journal.js'
import { IngestGate } from '../../gateway/broker/ingest-gate.js'
import { LocalBroker } from '../../gateway/broker/broker.js'
import { hashPassword } from '../../gateway/broker/passwords.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { topics } from '../../base/events/topics.js'
import { captureLog } from '../helpers/logs.js'

const SITE = 'stop-site'
const PRODUCER = { username: 'producer-1', password: 'producer-secret-1' }

function sql(db: sqlite3.Database, statement: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(statement, (err) => (err ? reject(err) : resolve())))
}

describe('broker stop', () => {
  let dir: string | undefined
  let journal: Journal | undefined
  afterEach(async () => {
    await journal?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('acknowledges a commit that was in flight when stopping began before it closes the connection', async () => {
    dir = mkdtempSync(join(tmpdir(), 'broker-stop-'))
    const logs = captureLog()
    const ids = new UuidV7Generator()
    const path = join(dir, 'journal.db')
    journal = await Journal.open({
      path,
      maxRows: 1000,
      maxBytes: 1 << 26,
      maxAgeMs: 86_400_000,
      spareBytes: 0,
      batchMaxEvents: 100,
      uplinks: [],
      log: logs.log,
      now: Date.now,
    })
    const j = journal
    let reachedCommit: () => void = () => undefined
    const atCommit = new Promise<void>((r) => {
      reachedCommit = r
    })
    const gate = new IngestGate({
      devices: new Map([['intercom-1', { site: SITE, device: 'intercom-1', kind: 'access', location: {} }]]),
      maxPayloadBytes: 65_536,
      newId: () => ids.next(),
      now: Date.now,
      log: logs.log,
      // The real journal; the test only learns when the gate has handed the event over.
      commit: (input) => {
        reachedCommit()
        return j.append(input)
      },
      reportRejection: async () => undefined,
    })
    const broker = new LocalBroker({
      site: SITE,
      host: '127.0.0.1',
      port: 0,
      allowAnonymous: false,
      gate,
      log: logs.log,
      users: [{ username: PRODUCER.username, passwordHash: await hashPassword(PRODUCER.password), role: 'producer', devices: ['intercom-1'] }],
    })
    const port = await broker.start()
    const producer = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...PRODUCER, reconnectPeriod: 0 })
    producer.on('error', () => undefined)

    // Another process holds the database's write lock: the commit waits (busy_timeout) until it lets go.
    const other = new sqlite3.Database(path)
    await sql(other, 'BEGIN IMMEDIATE')
    const acked: string[] = []
    producer.publish(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.open' }), { qos: 1 }, (err) => {
      if (!err) acked.push('first')
    })
    await atCommit
    producer.publish(topics.ingest(SITE, 'intercom-1'), JSON.stringify({ type: 'door.closed' }), { qos: 1 }, (err) => {
      if (!err) acked.push('second')
    })
    const closed = new Promise<void>((r) => producer.once('close', () => r()))
    const stopped = broker.stop()
    await sql(other, 'COMMIT')
    await new Promise<void>((r) => other.close(() => r()))
    await stopped
    await closed

    // The commit in flight was acknowledged; what came after was neither stored nor acknowledged.
    expect(acked).toEqual(['first'])
    expect(journal.lastSeqOf('intercom-1')).toBe(1)
    expect(gate.accepted).toBe(1)
    producer.end(true)
  })
})
