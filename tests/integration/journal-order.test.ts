import { describe, expect, it } from 'vitest'
import type { AppendResult } from '../../gateway/journal/journal.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { faultAt, parseFault } from '../../base/faults.js'
import { EventOrderError, JournalError } from '../../base/errors.js'
import { tempJournal } from '../helpers/temp-journal.js'

const ids = new UuidV7Generator()
const t = tempJournal('journal-order-')

function ev(device: string, zone: number) {
  return buildEvent({ site: 's', device, kind: 'alarm', location: {} }, { type: 'intrusion', zone: String(zone) }, ids.next(), Date.now())
}

describe('journal: per-device order across a refused commit', () => {
  it("refuses a device's later events while its refused one has not been sent again, so the resend keeps their order", async () => {
    // The first commit fails (an I/O error inside the transaction), one event per commit: p1's
    // later events wait in the queue behind the failing one, as QoS 1 publishes in flight do.
    const journal = await t.open({ batchMaxEvents: 1, faults: faultAt(parseFault('journal.commit:fail:1'), () => undefined) })
    const sent = [1, 2, 3, 4].map((z) => ev('p1', z))
    const other = ev('p2', 1)
    const first = await Promise.allSettled([...sent.map((event) => journal.append({ event, checkId: true })), journal.append({ event: other, checkId: true })])
    expect(first[0]!.status).toBe('rejected')
    // Nothing of p1 after its refused event may be committed: it would overtake the resend.
    for (const r of first.slice(1, 4)) expect(r.status === 'rejected' && r.reason instanceof JournalError).toBe(true)
    // Another device is not held up.
    expect(first[4]!.status).toBe('fulfilled')
    // A publish still on its way from the old connection (not a resend) is refused too.
    const stray = ev('p1', 5)
    await expect(journal.append({ event: stray, checkId: true })).rejects.toThrow(EventOrderError)
    expect(journal.stats().refusedForOrder).toBeGreaterThanOrEqual(4)
    // The producer reconnects and resends everything unacknowledged, in order.
    const resent: AppendResult[] = []
    for (const event of [...sent, stray]) resent.push(await journal.append({ event, checkId: true }))
    expect(resent.map((r) => r.duplicate)).toEqual([false, false, false, false, false])
    expect(resent.map((r) => r.event.seq)).toEqual([1, 2, 3, 4, 5])
    const rows = await journal.outbox.page('platform', 0, 100)
    expect(rows.filter((r) => r.device === 'p1').map((r) => r.id)).toEqual([...sent, stray].map((e) => e.id))
  })

  it("lets a barred device through once the barrier's bound has passed (a producer that never resends)", async () => {
    let mono = 0
    const journal = await t.open({ batchMaxEvents: 1, faults: faultAt(parseFault('journal.commit:fail:1'), () => undefined), monotonicNow: () => mono })
    await expect(journal.append({ event: ev('p1', 1), checkId: true })).rejects.toThrow(JournalError)
    await expect(journal.append({ event: ev('p1', 2), checkId: true })).rejects.toThrow(/earlier event/)
    mono += 60_001
    const r = await journal.append({ event: ev('p1', 3), checkId: true })
    expect(r.event.seq).toBe(1)
  })
})
