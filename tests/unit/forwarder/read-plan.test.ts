import { describe, expect, it } from 'vitest'
import { MemoryOutbox } from '../../../cloud-bridge/memory-outbox.js'
import type { OutboxRow } from '../../../cloud-bridge/outbox.js'
import { PAGE, ReadPlan } from '../../../cloud-bridge/read-plan.js'
import { urgentDrain } from '../../helpers/urgent-drain.js'

// The read plan alone over the in-memory outbox: what each read queues, in what order.

let n = 0
function backlog(outbox: MemoryOutbox, events: ReadonlyArray<{ device: string; priority: number }>): OutboxRow[] {
  return outbox.commit(
    events.map((e) => {
      const id = `ev-${++n}`
      return { id, device: e.device, kind: 'alarm', priority: e.priority, body: JSON.stringify({ id }) }
    }),
  )
}

/** Reads until caught up, taking every queued row after each read; the rows per read and the sends. */
async function drain(plan: ReadPlan): Promise<{ perRead: number[]; sent: OutboxRow[] }> {
  const perRead: number[] = []
  const sent: OutboxRow[] = []
  while (plan.hasMore()) {
    if (plan.wantsRead()) expect(await plan.read(() => false)).toBe('read')
    let queued = 0
    for (let r = plan.next(); r !== undefined; r = plan.next()) {
      sent.push(r)
      queued++
    }
    perRead.push(queued)
  }
  return { perRead, sent }
}

describe('forwarder read plan', () => {
  it("reads a device's long run of information before its alarm page by page, the alarm after the last, so memory stays bounded", async () => {
    const outbox = new MemoryOutbox(['platform'])
    // A camera's motion all through an outage, then its tamper alarm; a panel's alarm after it.
    const rows = backlog(outbox, [
      ...Array.from({ length: 2 * PAGE + 500 }, () => ({ device: 'cam', priority: 5 })),
      { device: 'cam', priority: 2 },
      { device: 'panel', priority: 1 },
      ...Array.from({ length: 300 }, (_, i) => ({ device: i % 2 === 0 ? 'door' : 'cam', priority: 5 })),
    ])
    const plan = new ReadPlan(outbox, 'platform', () => false)
    const { perRead, sent } = await drain(plan)

    expect(Math.max(...perRead)).toBeLessThanOrEqual(PAGE + 1)
    // Every event once, each device in order, and nothing but the camera's run ahead of the alarms.
    expect(sent.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort())
    for (const device of ['cam', 'panel', 'door']) {
      const positions = sent.filter((r) => r.device === device).map((r) => r.pos)
      expect(positions).toEqual([...positions].sort((a, b) => a - b))
    }
    const { ahead, strays } = urgentDrain(sent)
    expect(strays).toEqual([])
    expect(ahead.map((r) => r.id)).toEqual(rows.slice(0, 2 * PAGE + 502).map((r) => r.id))
  })

  it('queues each urgent event with its few earlier events in one read, as before', async () => {
    const outbox = new MemoryOutbox(['platform'])
    const rows = backlog(outbox, [
      { device: 'door', priority: 5 },
      { device: 'panel', priority: 5 },
      { device: 'door', priority: 1 },
      { device: 'other', priority: 5 },
      { device: 'panel', priority: 2 },
    ])
    const plan = new ReadPlan(outbox, 'platform', () => false)
    const { sent } = await drain(plan)
    expect(sent.map((r) => r.id)).toEqual([0, 2, 1, 4, 3].map((i) => rows[i]!.id))
  })
})
