import { describe, expect, it } from 'vitest'
import { JournalError, JournalFullError } from '../../../base/errors.js'
import type { EventInput } from '../../../base/events/event.js'
import { JournalReports, MAX_HELD_REPORTS } from '../../../gateway/journal-reports.js'
import { captureLog } from '../../helpers/logs.js'

/** A recorder standing in for the journal: refuses as a full journal while `full` is set. */
function recorder() {
  const r = {
    full: false,
    other: false,
    recorded: [] as EventInput[],
    record: (input: EventInput) => {
      if (r.full) return Promise.reject(new JournalFullError('full'))
      if (r.other) return Promise.reject(new JournalError('i/o'))
      r.recorded.push(input)
      return Promise.resolve()
    },
  }
  return r
}

const settle = () => new Promise((r) => setImmediate(r))
const evicted = (n: number): EventInput => ({ type: 'journal.evicted', attrs: { n } })

describe('journal reports while the journal is full', () => {
  it('holds what a full journal refused and records it, in order, ahead of the full period once it commits again', async () => {
    const rec = recorder()
    const logs = captureLog()
    const reports = new JournalReports(rec.record, logs.log)
    reports.report(evicted(1))
    rec.full = true
    reports.report(evicted(2))
    reports.report(evicted(3))
    await settle()
    expect(reports.heldCount).toBe(2)
    expect(logs.find('journal report held')).toHaveLength(2)
    rec.full = false
    reports.recovered({ type: 'journal.full', attrs: { fullMs: 5 } })
    await settle()
    expect(rec.recorded.map((e) => [e.type, e.attrs?.['n'] ?? e.attrs?.['fullMs']])).toEqual([
      ['journal.evicted', 1],
      ['journal.evicted', 2],
      ['journal.evicted', 3],
      ['journal.full', 5],
    ])
    expect(reports.heldCount).toBe(0)
  })

  it('a journal full again at its recovery keeps them held; at most MAX_HELD_REPORTS, the oldest dropped and counted', async () => {
    const rec = recorder()
    const logs = captureLog()
    const reports = new JournalReports(rec.record, logs.log)
    rec.full = true
    for (let n = 0; n < MAX_HELD_REPORTS + 3; n++) reports.report(evicted(n))
    await settle()
    reports.recovered({ type: 'journal.full', attrs: {} })
    await settle()
    expect(reports.heldCount).toBe(MAX_HELD_REPORTS)
    expect(logs.find('journal report held').at(-1)).toMatchObject({ dropped: 4 })
    rec.full = false
    reports.recovered({ type: 'journal.full', attrs: {} })
    await settle()
    expect(rec.recorded).toHaveLength(MAX_HELD_REPORTS + 1)
    expect(rec.recorded[0]!.attrs?.['n']).toBe(4)
  })

  it('any other failure is logged as an error and not held', async () => {
    const rec = recorder()
    const logs = captureLog()
    const reports = new JournalReports(rec.record, logs.log)
    rec.other = true
    reports.report(evicted(1))
    await settle()
    expect(reports.heldCount).toBe(0)
    expect(logs.find('cannot record a gateway event', { type: 'journal.evicted' })).toHaveLength(1)
  })
})
