import { describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { IngestGate, type IngestRejection } from '../../../gateway/broker/ingest-gate.js'
import { JournalError, UnstorableEventError } from '../../../base/errors.js'
import type { AppendInput, AppendResult } from '../../../gateway/journal/journal.js'

const DEVICE = 'intercom-1'
const PAYLOAD = Buffer.from(JSON.stringify({ type: 'access.granted', attrs: { card: '1234' } }))

/** The gate against a commit that fails as the journal does: the contract between the two. */
function gateWith(commit: (input: AppendInput) => Promise<AppendResult>) {
  const reports: IngestRejection[] = []
  let n = 0
  const gate = new IngestGate({
    devices: new Map([[DEVICE, { site: 'lotus-garden', device: DEVICE, kind: 'access', location: {} }]]),
    maxPayloadBytes: 65_536,
    newId: () => `0190f0f0-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    now: () => Date.parse('2026-12-01T08:00:00Z'),
    commit,
    reportRejection: async (r) => {
      reports.push(r)
    },
    log: pino({ level: 'silent' }),
  })
  return { gate, reports }
}

describe('ingest gate and a journal refusal', () => {
  it('an event the journal refuses alone is answered as refused and reported, not thrown (a resend would fail the same way)', async () => {
    const { gate, reports } = gateWith(() => Promise.reject(new UnstorableEventError(`event x from device "${DEVICE}" cannot be stored (row too big)`)))
    const outcome = await gate.accept(DEVICE, PAYLOAD, 'intercom-vendor')
    expect(outcome).toEqual({ accepted: false, reason: expect.stringContaining('cannot be stored (row too big)') })
    expect(reports).toEqual([{ producer: 'intercom-vendor', device: DEVICE, reason: expect.stringContaining('cannot be stored') }])
    expect(gate.rejected).toBe(1)
    expect(gate.rejectedBy).toEqual(new Map([['unstorable', 1]]))
    expect(gate.accepted).toBe(0)
  })

  it('a failure of the journal itself is thrown: no PUBACK, the producer resends', async () => {
    const { gate, reports } = gateWith(() => Promise.reject(new JournalError('the journal is closed')))
    await expect(gate.accept(DEVICE, PAYLOAD, 'intercom-vendor')).rejects.toThrow('the journal is closed')
    expect(reports).toEqual([])
    expect(gate.rejected).toBe(0)
  })
})
