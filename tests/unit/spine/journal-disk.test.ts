import { describe, expect, it } from 'vitest'
import { budgetFor, DISK_BYTES_PER_BODY_BYTE } from '../../../gateway/journal/disk-budget.js'
import { AckQueue } from '../../../gateway/journal/ack-queue.js'
import { serializeUnsequenced, withSeq } from '../../../gateway/journal/writes.js'

const MIB = 1024 * 1024
const configured = { spareBytes: 16 * MIB, walMaxBytes: 4 * MIB, maxBytes: 1024 * MIB }

describe('journal disk budget', () => {
  it('keeps the configured limits on a large disk', () => {
    expect(budgetFor({ available: 100 * 1024 * MIB }, configured)).toEqual(configured)
  })
  it('sizes spare, WAL and byte cap to a 4 MiB disk, together well inside it', () => {
    const b = budgetFor({ available: 4 * MIB }, configured)
    expect(b.spareBytes).toBeGreaterThanOrEqual(b.walMaxBytes)
    expect(b.spareBytes).toBeLessThanOrEqual(0.1 * 4 * MIB)
    expect(b.spareBytes + 2 * b.walMaxBytes + b.maxBytes * DISK_BYTES_PER_BODY_BYTE).toBeLessThan(4 * MIB)
    expect(b.maxBytes).toBeGreaterThan(0)
  })
  it('no spare when none is configured', () => {
    expect(budgetFor({ available: 4 * MIB }, { ...configured, spareBytes: 0 }).spareBytes).toBe(0)
  })
})

describe('acknowledgements waiting for a commit', () => {
  it('a failed commit gives its work back without ever growing it', () => {
    const q = new AckQueue()
    q.ack('platform', [1, 2, 3])
    q.park('platform', 9)
    for (let attempt = 0; attempt < 20; attempt++) {
      const work = q.take()
      // The uplink acknowledges the same events again while the commit fails.
      q.ack('platform', [1, 2, 3])
      q.park('platform', 9)
      q.restore(work)
    }
    const work = q.take()
    expect(work.acks.get('platform')).toEqual([1, 2, 3])
    expect(work.parks).toEqual([{ uplink: 'platform', pos: 9 }])
    expect(q.size).toBe(0)
  })
})

describe('event body', () => {
  it('is what JSON.stringify({ ...event, seq }) gives', () => {
    const e = { id: 'x', device: 'd', attrs: { a: [1, { b: 'c' }] }, zone: undefined }
    expect(withSeq(serializeUnsequenced(e), 7)).toBe(JSON.stringify({ ...e, seq: 7 }))
    const withOld = { ...e, seq: 3 }
    expect(JSON.parse(withSeq(serializeUnsequenced(withOld), 8))).toEqual({ ...e, seq: 8 })
  })
})
