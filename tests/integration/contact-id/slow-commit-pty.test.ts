import { afterEach, describe, expect, it } from 'vitest'
import sqlite3 from 'sqlite3'
import { DEADLINE_MS, alarms, barrier, ev, ptyGateway, until } from './support.js'

function sql(db: sqlite3.Database, statement: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(statement, (err) => (err ? reject(err) : resolve())))
}

/**
 * The receiver sends one message at a time and takes the next ACK as the answer to whatever it
 * sent last. When a commit outlasts its 4 s timeout it sends the message again; answering every
 * copy would put one ACK too many on the line, and the receiver would take it for the next
 * message's answer.
 */
describe('Contact ID on a PTY when a commit is slower than the receiver waits', { timeout: 4 * DEADLINE_MS }, () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it('answers the copies sent meanwhile with the one ACK, so a garbled next message is repeated, not lost', async () => {
    const { model, sim, h } = await ptyGateway(cleanup, { heartbeatMs: 400, ackTimeoutMs: 1500 })

    // A second connection holds SQLite's write lock: the intrusion's commit waits.
    const db = new sqlite3.Database(h.config.journal.path)
    await sql(db, 'BEGIN EXCLUSIVE')
    const repeatsBefore = model.stats.retransmissions
    const unexpectedBefore = model.stats.unexpected
    model.corruptFirstTry(ev('110', '003'))
    model.enqueue(ev('130', '002'), ev('110', '003'))
    sim.poke()
    await until('two copies of the intrusion sent while its commit waits', () => model.stats.retransmissions >= repeatsBefore + 2)
    // ... and read by the gateway before the commit ends (a copy crossing our ACK on the wire is
    // a race no host can win: the receiver's protocol has no message numbers).
    const intrusion = model.textOf(ev('130', '002'))
    await until('the copies read', () => h.logs.find('message received', { raw: intrusion }).length >= 3)
    await sql(db, 'COMMIT')
    await new Promise<void>((resolve) => db.close(() => resolve()))

    // The fire's first try is garbled and NAKed: it must be repeated and stored.
    await until('both acknowledged', () => model.stats.delivered === 2)
    await barrier(model, sim, h)
    expect(alarms(h).map((e) => e.type)).toEqual(['intrusion', 'fire', 'test'])
    expect(model.stats.garbled).toBe(1)
    // Every answer came while the receiver waited for one.
    expect(model.stats.unexpected).toBe(unexpectedBefore)
    expect(h.logs.find('sent before our ACK, already answered').length).toBeGreaterThanOrEqual(2)
  })
})
