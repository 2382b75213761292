import { afterEach, describe, expect, it } from 'vitest'
import { Dc09Uplink } from '../../../cloud-bridge/uplinks/dc09/dc09-uplink.js'
import { Dc09UplinkSchema } from '../../../cloud-bridge/uplinks/dc09/config.js'
import { startCentreSim, type CentreSim } from '../../../simulators/alarm-centre/wire.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { captureLog } from '../../helpers/logs.js'
import { seededRandom } from '../../../simulators/parking-lock/rng.js'
import type { OutboxRow } from '../../../cloud-bridge/outbox.js'
import { until } from './setup.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const LINK_TEST_MS = 180_000
const ACK_TIMEOUT_MS = 10_000

function row(pos: number, type = 'intrusion'): OutboxRow {
  const id = `0190a0b0-0000-7000-8000-${String(pos).padStart(12, '0')}`
  const body = JSON.stringify({
    id,
    seq: pos,
    site: 's',
    device: 'panel-1',
    kind: 'alarm',
    type,
    priority: 2,
    receivedAt: new Date(T0).toISOString(),
    zone: '1',
    attrs: {},
  })
  return { pos, id, device: 'panel-1', kind: 'alarm', priority: 2, body }
}

describe('DC-09 uplink timing on injected timers, against the simulator over TCP', () => {
  let centre: CentreSim | undefined
  let uplink: Dc09Uplink | undefined
  afterEach(async () => {
    await uplink?.stop()
    await centre?.close()
  })

  async function setup(faults = {}, extra: Record<string, unknown> = {}, linkTest = LINK_TEST_MS) {
    const timers = new ManualTimers(T0)
    centre = await startCentreSim({ now: () => timers.now(), faults })
    const cfg = Dc09UplinkSchema.parse({
      id: 'arc',
      type: 'dc09',
      account: '1234',
      ackTimeoutMs: ACK_TIMEOUT_MS,
      retries: 2,
      testReportMs: 0,
      paths: [{ name: 'wired', receivers: [{ host: '127.0.0.1', port: centre.tcpPort, receiverNumber: '1', lineNumber: '1' }], linkTestMs: linkTest }],
      ...extra,
    })
    const reports: string[] = []
    uplink = new Dc09Uplink(cfg, { site: { deviceNames: new Map() }, log: captureLog().log, report: (t) => reports.push(t), timers, random: seededRandom(7) })
    uplink.start()
    await until(() => uplink!.state === 'up', 'the first link test')
    return { timers, centre, uplink, reports }
  }

  it('link tests at the configured interval, restarted by any other message', async () => {
    const { timers, centre, uplink } = await setup()
    expect(centre.model.report().nulls).toBe(1)
    const due = await timers.nextDue()
    expect(due).toBe(T0 + LINK_TEST_MS)
    // An event half way through the interval pushes the next link test a full interval later.
    timers.advance(LINK_TEST_MS / 2)
    await uplink.send(row(1))
    expect(await timers.nextDue()).toBe(timers.now() + LINK_TEST_MS)
    await timers.fireNext()
    await until(() => centre.model.report().nulls === 2, 'the second link test')
  })

  it('a lost ACK: the retry keeps its sequence number; a wrong ACK sequence is ignored', async () => {
    const { timers, centre, uplink } = await setup()
    // After the first link test: the event is recorded and its ACK lost, then an ACK with a wrong number.
    centre.model.faults = { dropAcks: 1, wrongAckSeq: 1 }
    const sent = uplink.send(row(1))
    await until(() => centre.model.events.length === 1, 'the event at the centre')
    await timers.fireNext() // ACK timeout: resend, same number; this ACK has the wrong number
    await until(() => centre.model.events.length === 2, 'the retry')
    await timers.fireNext() // ignored ACK: timeout again, resend
    await sent
    const events = centre.model.events.map((e) => e.seq)
    expect(events).toHaveLength(3)
    expect(new Set(events).size).toBe(1)
    expect(uplink.health().paths[0]!.receivers[0]!.strayReplies).toBe(1)
  })

  it('a NAK with the receiver time: the offset is adopted and the same message resent at once', async () => {
    const { centre, uplink } = await setup({ clockOffsetMs: -3_600_000 })
    await uplink.send(row(1))
    expect(centre.model.report()).toMatchObject({ naks: 1, unique: 1 })
    expect(uplink.health().paths[0]!.receivers[0]!.clockOffsetMs).toBe(-3_600_000)
    const [first, second] = centre.frames.map((f) => f.toString('latin1')).filter((f) => f.includes('ADM-CID'))
    expect(/"ADM-CID"(\d{4})/.exec(first!)![1]).toBe(/"ADM-CID"(\d{4})/.exec(second!)![1])
  })

  it('stop with a message in flight: it fails at once and nothing more is sent', async () => {
    const { centre, uplink } = await setup()
    centre.model.faults = { dropRequests: 100 }
    const sent = uplink.send(row(1))
    await until(() => uplink.health().paths[0]!.receivers[0]!.inFlight, 'the event in flight')
    await uplink.stop()
    await expect(sent).rejects.toMatchObject({ refused: false })
    await until(() => centre.frames.length === 2, 'the event at the centre')
    expect(centre.frames.length).toBe(2) // the first link test and the event, once
  })

  it('every receiver refuses (DUH): rejected as refused, reported, never looped', async () => {
    const { centre, uplink, reports } = await setup({ duh: 100 })
    await expect(uplink.send(row(1))).rejects.toMatchObject({ refused: true })
    expect(centre.model.report().duhs).toBe(1)
    expect(reports).toEqual(['uplink.refused'])
  })

  it('a periodic test report (CID 602) at its interval, then the next one scheduled', async () => {
    const DAY = 86_400_000
    const { timers, centre } = await setup({}, { testReportMs: DAY }, 2 * DAY)
    expect(await timers.nextDue()).toBe(T0 + DAY)
    await timers.fireNext()
    await until(() => centre.model.events.length === 1, 'the test report')
    expect(centre.model.events[0]!.data).toBe('#1234|1602 00 000')
    // The next report is scheduled once this one is acknowledged: wait for that timer to appear.
    let due = await timers.nextDue()
    for (let i = 0; i < 500 && due !== T0 + 2 * DAY; i++) {
      await new Promise((r) => setTimeout(r, 10))
      due = await timers.nextDue()
    }
    expect(due).toBe(T0 + 2 * DAY)
  })

  it('the backup path is polled slowly while the primary answers, at the primary pace once it does not', async () => {
    const timers = new ManualTimers(T0)
    const primary = await startCentreSim({ now: () => timers.now() })
    const backup = await startCentreSim({ now: () => timers.now() })
    const cfg = Dc09UplinkSchema.parse({
      id: 'arc',
      type: 'dc09',
      account: '1234',
      ackTimeoutMs: ACK_TIMEOUT_MS,
      retries: 0,
      testReportMs: 0,
      category: 'DP3',
      paths: [
        { name: 'wired', receivers: [{ host: '127.0.0.1', port: primary.tcpPort }] },
        { name: 'cellular', receivers: [{ host: '127.0.0.1', port: backup.tcpPort }] },
      ],
    })
    const reports: string[] = []
    const up = new Dc09Uplink(cfg, { site: { deviceNames: new Map() }, log: captureLog().log, report: (t) => reports.push(t), timers, random: seededRandom(3) })
    uplink = up
    try {
      up.start()
      await until(() => up.state === 'up', 'the first link test')
      // DP3: primary every 3 min, backup every 30 min. One timer per path; each link test re-arms its own.
      const idle = () => up.health().paths.every((p) => p.receivers.every((r) => !r.inFlight))
      const armed = () => until(() => idle() && timers.size === 2, 'both paths armed')
      await armed()
      while (backup.model.report().nulls === 0) {
        await timers.fireNext()
        await armed()
      }
      expect(timers.now() - T0).toBe(30 * 60_000)
      expect(primary.model.report().nulls).toBe(10) // at start, then every 3 min before the 30th
      // The primary stops answering: its next link test fails after the ACK timeout, the fault is reported.
      primary.model.faults = { dropRequests: 1_000_000 }
      await timers.fireNext() // the primary's test at 30 min
      await until(() => !idle(), 'the link test in flight')
      await timers.fireNext() // its ACK timeout
      await until(() => reports.includes('uplink.path.fault'), 'the path fault')
      await armed()
      // From now on the backup is tested at the primary's pace (3 min), the failed primary every
      // retryDownMs (10 s) until it answers.
      const faultAt = timers.now()
      expect(timers.dueTimes()).toEqual([faultAt + 10_000, faultAt + 3 * 60_000])
    } finally {
      await primary.close()
      await backup.close()
    }
  })
})
