import { describe, expect, it } from 'vitest'
import { checkHistory, delayFigures, summarize, type Arrival, type Sent } from './checker.js'

/** Three messages per device, all acknowledged at t = 10·n, each with its own id. */
function history(devices = ['a', 'b']): Sent[] {
  return devices.flatMap((device) => [0, 1, 2].map((n) => ({ device, n, id: `${device}-${n}`, probe: String(n), ackedAt: 10 * n })))
}

/** The platform receiving each message once, in order, 5 ms after its acknowledgement. */
function delivered(sent: Sent[]): Arrival[] {
  return sent.map((s) => ({ id: s.id!, device: s.device, seq: s.n + 1, probe: s.probe, arrivedAt: s.ackedAt! + 5 }))
}

describe('chaos history checker', () => {
  it('passes a clean history and measures ack-to-arrival delay', () => {
    const sent = history()
    const r = checkHistory(sent, delivered(sent))
    expect(r.ok).toBe(true)
    expect(r).toMatchObject({ sent: 6, acked: 6, arrivedUnique: 6, duplicateIds: 0, seqGaps: 0 })
    expect(r.delayMs).toEqual({ count: 6, p50: 5, p99: 5, max: 5 })
  })

  it('reports an acknowledged event that never arrived as lost', () => {
    const sent = history()
    const r = checkHistory(
      sent,
      delivered(sent).filter((a) => a.id !== 'b-1'),
    )
    expect(r.ok).toBe(false)
    expect(r.lost.map((s) => s.id)).toEqual(['b-1'])
    expect(r.seqGaps).toBe(1) // b's seq jumps from 1 to 3
    expect(summarize(r)).toContain('lost b #1 b-1')
  })

  it('counts a gap the gateway reported evicting as explained, not as a gap', () => {
    const sent = history()
    const r = checkHistory(
      sent,
      delivered(sent).filter((a) => a.id !== 'b-1'),
      { evictedSeqs: new Map([['b', [[2, 2]]]]) },
    )
    expect(r.seqGaps).toBe(0)
    expect(r.seqGapsExplained).toBe(1)
  })

  it('does not count a message that was never acknowledged as lost, and accepts it if it arrives', () => {
    const sent = history()
    const last = sent.find((s) => s.id === 'a-2')!
    delete last.ackedAt
    expect(
      checkHistory(
        sent,
        delivered(sent).filter((a) => a.id !== 'a-2'),
      ).ok,
    ).toBe(true)
    const arrivals = sent.map((s) => ({ id: s.id!, device: s.device, seq: s.n + 1, probe: s.probe, arrivedAt: 100 }))
    const r = checkHistory(sent, arrivals)
    expect(r.ok).toBe(true)
    expect(r.acked).toBe(5)
  })

  it('reports an event nobody sent as unexpected, and a known id under another device', () => {
    const sent = history()
    const arrivals = delivered(sent).filter((a) => a.id !== 'a-0')
    arrivals.push({ id: 'ghost', device: 'a', seq: 4, arrivedAt: 50 })
    arrivals.push({ id: 'a-0', device: 'b', seq: 4, arrivedAt: 51 })
    const r = checkHistory(sent, arrivals, { allowSeqGaps: true })
    expect(r.ok).toBe(false)
    expect(r.unexpected.map((a) => `${a.device}/${a.id}`)).toEqual(['a/ghost', 'b/a-0'])
    expect(r.lost.map((s) => s.id)).toEqual(['a-0'])
  })

  it('counts repeats of one id as duplicates without failing: the platform dedupes by id', () => {
    const sent = history()
    const arrivals = delivered(sent)
    // A reconnect resends a's window: a-1 and a-2 again, after the rest.
    arrivals.push({ ...arrivals[1]!, arrivedAt: 90 }, { ...arrivals[2]!, arrivedAt: 91 })
    const r = checkHistory(sent, arrivals)
    expect(r.ok).toBe(true)
    expect(r.duplicateIds).toBe(2)
    expect(r.orderViolations).toEqual([])
    expect(r.seqViolations).toBe(0)
  })

  it('reports one message stored as two events (same device and probe, another id) as a content duplicate', () => {
    // A serial receiver repeats a message whose ACK was lost; the gateway gives the repeat a new id.
    const sent: Sent[] = [0, 1].map((n) => ({ device: 'rx', n, probe: `zone-${n}`, ackedAt: n }))
    const arrivals: Arrival[] = [
      { id: 'u1', device: 'rx', seq: 1, probe: 'zone-0', arrivedAt: 3 },
      { id: 'u2', device: 'rx', seq: 2, probe: 'zone-0', arrivedAt: 4 },
      { id: 'u3', device: 'rx', seq: 3, probe: 'zone-1', arrivedAt: 5 },
    ]
    const r = checkHistory(sent, arrivals)
    expect(r.ok).toBe(false)
    expect(r.duplicateContent).toEqual([{ device: 'rx', probe: 'zone-0', ids: ['u1', 'u2'] }])
    expect(r.lost).toEqual([])
    expect(r.orderViolations).toEqual([])
  })

  it('matches a producer-supplied id first, and a second id for the same probe is a content duplicate', () => {
    const sent = history(['a'])
    const arrivals = delivered(sent)
    arrivals.push({ id: 'fresh-id', device: 'a', seq: 4, probe: '1', arrivedAt: 40 })
    const r = checkHistory(sent, arrivals)
    expect(r.duplicateContent).toEqual([{ device: 'a', probe: '1', ids: ['a-1', 'fresh-id'] }])
    expect(r.unexpected).toEqual([])
  })

  it('reports per-device order violations by the producer order and by the gateway seq', () => {
    const sent = history()
    const arrivals = delivered(sent)
    // b-2 overtakes b-1 (and carries a higher seq: the forwarder reordered);
    ;[arrivals[4], arrivals[5]] = [arrivals[5]!, arrivals[4]!]
    // a-1 and a-2 were committed in the wrong order (seq rises, producer order does not).
    arrivals[1] = { ...arrivals[1]!, seq: 3 }
    arrivals[2] = { ...arrivals[2]!, seq: 2 }
    ;[arrivals[1], arrivals[2]] = [arrivals[2]!, arrivals[1]!]
    const r = checkHistory(sent, arrivals)
    expect(r.ok).toBe(false)
    expect(r.orderViolations).toEqual([
      { device: 'a', n: 1, afterN: 2, seq: 3, afterSeq: 2 },
      { device: 'b', n: 1, afterN: 2, seq: 2, afterSeq: 3 },
    ])
    expect(r.seqViolations).toBe(1) // only b's: a's seq rose in arrival order
  })

  it('does not mix devices when judging order: each device has its own sequence', () => {
    const sent = history()
    const arrivals = delivered(sent)
    // Interleave: b's events before a's. Fine per device.
    const r = checkHistory(sent, [...arrivals.slice(3), ...arrivals.slice(0, 3)])
    expect(r.ok).toBe(true)
  })

  it("counts the gateway's supervision events for seq continuity, not as messages", () => {
    const sent = history(['a'])
    const arrivals = delivered(sent).map((a) => ({ ...a, seq: a.seq + 1 }))
    arrivals.unshift({ id: 'online', device: 'a', seq: 1, arrivedAt: 0, supervision: true })
    const r = checkHistory(sent, arrivals)
    expect(r.ok).toBe(true)
    expect(r.unexpected).toEqual([])
    expect(checkHistory(sent, arrivals.slice(1)).seqGaps).toBe(0) // first seq of a device is not a gap
  })

  it('allows seq gaps where the scenario evicts, never lost acknowledged events', () => {
    const sent = history(['a'])
    const arrivals = delivered(sent)
    arrivals[2] = { ...arrivals[2]!, seq: 7 }
    expect(checkHistory(sent, arrivals).ok).toBe(false)
    expect(checkHistory(sent, arrivals, { allowSeqGaps: true }).ok).toBe(true)
    expect(checkHistory(sent, arrivals.slice(0, 2), { allowSeqGaps: true }).ok).toBe(false)
  })

  it('measures ack-to-arrival from the first copy, clamping an arrival that beat its ack to 0', () => {
    const sent: Sent[] = [0, 1, 2, 3].map((n) => ({ device: 'd', n, id: `d${n}`, probe: String(n), ackedAt: 100 }))
    const arrivals: Arrival[] = [
      { id: 'd0', device: 'd', seq: 1, arrivedAt: 90 },
      { id: 'd1', device: 'd', seq: 2, arrivedAt: 110 },
      { id: 'd2', device: 'd', seq: 3, arrivedAt: 130 },
      { id: 'd3', device: 'd', seq: 4, arrivedAt: 1100 },
      { id: 'd1', device: 'd', seq: 2, arrivedAt: 2000 },
    ]
    expect(checkHistory(sent, arrivals).delayMs).toEqual({ count: 4, p50: 10, p99: 1000, max: 1000 })
    expect(delayFigures([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 })
  })
})
