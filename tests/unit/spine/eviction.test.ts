import { describe, expect, it } from 'vitest'
import { LOW_WATER, evictionNeed, seqRanges, summarize, takeUntil, type Candidate } from '../../../gateway/journal/eviction.js'

const limits = { maxRows: 1000, maxBytes: 100_000 }

describe('eviction planning', () => {
  it('needs nothing within the limits', () => {
    expect(evictionNeed({ rows: 990, bytes: 50_000 }, { rows: 10, bytes: 1000 }, limits)).toEqual({ rows: 0, bytes: 0 })
  })
  it('frees down to the low-water mark once a limit is passed', () => {
    const need = evictionNeed({ rows: 1000, bytes: 10_000 }, { rows: 1, bytes: 100 }, limits)
    expect(need.rows).toBe(1001 - Math.floor(1000 * LOW_WATER))
    expect(need.bytes).toBe(0)
  })
  it('counts bytes too', () => {
    const need = evictionNeed({ rows: 10, bytes: 99_990 }, { rows: 1, bytes: 100 }, limits)
    expect(need.bytes).toBe(100_090 - 95_000)
    expect(need.rows).toBe(0)
  })
  it('takes candidates in order until both needs are met', () => {
    const c: Candidate[] = [1, 2, 3, 4].map((pos) => ({ pos, bytes: 10, priority: 4, device: 'd', seq: pos }))
    expect(takeUntil(c, { rows: 2, bytes: 0 }).taken.map((x) => x.pos)).toEqual([1, 2])
    expect(takeUntil(c, { rows: 0, bytes: 25 }).taken.map((x) => x.pos)).toEqual([1, 2, 3])
    expect(takeUntil(c.slice(0, 1), { rows: 3, bytes: 0 }).rest).toEqual({ rows: 2, bytes: 0 })
  })
  it('summarizes what undelivered events were lost, by priority and device', () => {
    const r = summarize(
      'rows',
      [{ pos: 1, bytes: 5, priority: 2, device: 'a', seq: 1 }],
      [
        { pos: 2, bytes: 7, priority: 4, device: 'b', seq: 1 },
        { pos: 3, bytes: 7, priority: 4, device: 'a', seq: 2 },
        { pos: 4, bytes: 1, priority: 3, device: 'b', seq: 2 },
      ],
    )
    expect(r).toEqual({
      reason: 'rows',
      delivered: 1,
      undelivered: 3,
      undeliveredByPriority: { 4: 2, 3: 1 },
      devices: ['a', 'b'],
      bytes: 20,
      undeliveredSeqs: { a: [[2, 2]], b: [[1, 2]] },
    })
  })
  it('names the seqs an eviction leaves missing, as ranges per device', () => {
    expect(seqRanges([9, 3, 4, 5, 11, 12])).toEqual([
      [3, 5],
      [9, 9],
      [11, 12],
    ])
    expect(seqRanges([])).toEqual([])
  })
})
