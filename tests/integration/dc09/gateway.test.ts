import { afterEach, describe, expect, it } from 'vitest'
import { startCentreSim } from '../../../simulators/alarm-centre/wire.js'
import { CentreModel } from '../../../simulators/alarm-centre/model.js'
import { receiverOf, startDc09Gateway, until } from './setup.js'

const KEY_HEX = '000102030405060708090A0B0C0D0E0F1011121314151617'

/** One alarm of each device family, with the codes the centre must see. */
const FAMILY = [
  { device: 'panel-1', type: 'intrusion', zone: '15', cid: '1130 01 015', sia: 'Nri1/BA015' },
  { device: 'panel-1', type: 'fire', zone: '3', cid: '1110 01 003', sia: 'Nri1/FA003' },
  { device: 'gate-3', type: 'door.forced', zone: '2', cid: '1423 01 002', sia: 'Nri1/DF002' },
  { device: 'cam-1', type: 'video.tamper', zone: '4', cid: '1144 01 004', sia: 'Nri1/TA004' },
  { device: 'lock-7', type: 'lock.fault', zone: '7', cid: '1330 01 007', sia: 'Nri1/ET007' },
]

describe('DC-09 uplink through the gateway to the alarm-centre simulator', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })
  const centre = async (opts: Parameters<typeof startCentreSim>[0] = {}) => {
    const c = await startCentreSim({ udpPort: 0, ...opts })
    cleanup.push(() => c.close())
    return c
  }
  const gateway = async (...args: Parameters<typeof startDc09Gateway>) => {
    const g = await startDc09Gateway(...args)
    cleanup.push(() => g.stop())
    return g
  }

  it.each([
    { transport: 'tcp', token: 'ADM-CID', encrypted: false },
    { transport: 'udp', token: 'SIA-DCS', encrypted: true },
    { transport: 'tcp', token: 'SIA-DCS', encrypted: true },
    { transport: 'udp', token: 'ADM-CID', encrypted: false },
    { transport: 'tcp', token: 'ADM-CID', encrypted: true, keepConnection: false },
  ] as const)(
    'an alarm from each device family arrives once with its code ($transport, $token, encrypted $encrypted)',
    async ({ transport, token, encrypted, ...rest }) => {
      const c = await centre({ keys: { '1234': Buffer.from(KEY_HEX, 'hex') } })
      const g = await gateway({
        paths: [{ name: 'wired', receivers: [receiverOf(c, { transport, token, ...rest, ...(encrypted ? { keyHex: KEY_HEX } : {}) })] }],
      })
      const ids: string[] = []
      for (const f of FAMILY) ids.push((await g.gateway.emitAs(f.device, { type: f.type, zone: f.zone })).id)
      // No code: stays out of the centre (and is still delivered for this uplink).
      await g.gateway.emitAs('gate-3', { type: 'door.open' })
      await until(() => c.model.events.length >= FAMILY.length, 'every alarm at the centre')
      const got = c.model.events.filter((e) => ids.includes(e.eventId ?? ''))
      expect(got.map((e) => e.data)).toEqual(FAMILY.map((f) => `#1234|${token === 'ADM-CID' ? f.cid : f.sia}`))
      expect(got.every((e) => e.encrypted === encrypted && e.id === token)).toBe(true)
      expect(c.model.report(ids)).toMatchObject({ duplicates: 0, outOfOrder: 0, lost: [] })
    },
  )

  it('many events from several devices arrive once, in order per device', async () => {
    const c = await centre()
    const g = await gateway({ paths: [{ name: 'wired', receivers: [receiverOf(c)] }] })
    const ids: string[] = []
    for (let i = 0; i < 60; i++)
      ids.push((await g.gateway.emitAs(i % 2 ? 'panel-1' : 'gate-3', { type: i % 2 ? 'intrusion' : 'access.denied', zone: String(i % 2), user: '9' })).id)
    await until(() => c.model.report(ids).lost.length === 0, 'all 60 events')
    const r = c.model.report(ids)
    expect(r).toMatchObject({ duplicates: 0, outOfOrder: 0, lost: [], unique: 60, sequenceGaps: 0, sequenceRestarts: 0 })
    // Journal order is kept: the centre saw them in the order they were committed.
    expect(c.model.events.map((e) => e.eventId)).toEqual(ids)
  })

  it.each(['tcp', 'udp'] as const)('the receiver killed and restarted mid-stream loses nothing (%s)', async (transport) => {
    const model = new CentreModel()
    let c = await startCentreSim({ model, udpPort: 0 })
    const port = c.tcpPort
    const udpPort = c.udpPort!
    const g = await gateway({ paths: [{ name: 'wired', receivers: [receiverOf(c, { transport })] }] })
    const ids: string[] = []
    for (let i = 0; i < 10; i++) ids.push((await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id)
    await until(() => model.events.length >= 3, 'the first events')
    await c.close()
    for (let i = 0; i < 10; i++) ids.push((await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id)
    await g.logs.waitFor('uplink down')
    c = await startCentreSim({ model, tcpPort: port, udpPort })
    cleanup.push(() => c.close())
    await until(() => model.report(ids).lost.length === 0, 'all 20 events after the restart')
    expect(model.report(ids)).toMatchObject({ lost: [], outOfOrder: 0 })
  })

  it('every path down: nothing is dropped, and the backlog drains life safety first when a path returns', async () => {
    const model = new CentreModel()
    let c = await startCentreSim({ model })
    const port = c.tcpPort
    const g = await gateway({ paths: [{ name: 'wired', receivers: [receiverOf(c)] }] })
    await c.close()
    const granted: string[] = []
    for (let i = 0; i < 20; i++) granted.push((await g.gateway.emitAs('gate-3', { type: 'access.granted', user: String(i) })).id)
    await g.logs.waitFor('uplink down')
    const fire = (await g.gateway.emitAs('panel-1', { type: 'fire', zone: '3' })).id
    c = await startCentreSim({ model, tcpPort: port })
    cleanup.push(() => c.close())
    await until(() => model.report([...granted, fire]).lost.length === 0, 'the backlog')
    const order = model.events.map((e) => e.eventId).filter((id) => id === fire || granted.includes(id!))
    expect(order[0]).toBe(fire)
    expect(order.slice(1)).toEqual(granted)
  })

  it('a 2-hour receiver clock offset is corrected after one NAK and reported', async () => {
    const c = await centre({ faults: { clockOffsetMs: 2 * 3_600_000 } })
    const g = await gateway({ paths: [{ name: 'wired', receivers: [receiverOf(c)] }] })
    const gatewayEvents: string[] = []
    g.gateway.journal.on('committed', (_rows, events: Array<{ type: string }>) => gatewayEvents.push(...events.map((e) => e.type)))
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await g.gateway.emitAs('panel-1', { type: 'panic', zone: '1' })).id)
    await until(() => c.model.report(ids).lost.length === 0, 'the events')
    expect(c.model.report(ids)).toMatchObject({ naks: 1, duplicates: 0, lost: [] })
    const line = await g.logs.waitFor('receiver clock differs')
    expect(Math.abs(Number(line['offsetMs']) - 7_200_000)).toBeLessThan(2000)
    // Beyond maxClockOffsetMs (5 min): a gateway event.
    await until(() => gatewayEvents.includes('uplink.clock.offset'), 'the uplink.clock.offset gateway event')
    // The offset in force is in the status (API and gateway/status) under the uplink's link.
    const status = await g.gateway.status()
    const link = Object.values(status.uplinks).find((u) => u.link !== undefined)?.link as
      | { activePath: string; paths: Array<{ receivers: Array<{ clockOffsetMs: number }> }> }
      | undefined
    expect(link?.activePath).toBe('wired')
    expect(Math.abs(link!.paths[0]!.receivers[0]!.clockOffsetMs - 7_200_000)).toBeLessThan(2000)
  })

  it.each(['tcp', 'udp'] as const)('a path sends from its localAddress (%s)', async (transport) => {
    // Every 127/8 address is on the loopback interface on Linux: 127.0.0.2 stands for a second interface.
    const c = await centre()
    const g = await gateway({ paths: [{ name: 'cellular', localAddress: '127.0.0.2', receivers: [receiverOf(c, { transport })] }] })
    const id = (await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id
    await until(() => c.model.events.some((e) => e.eventId === id), 'the event')
    expect(new Set(c.sources)).toEqual(new Set(['127.0.0.2']))
  })

  it('call direction per receiver: life safety to one receiver, the rest to the other', async () => {
    const lifeSafety = await centre()
    const rest = await centre()
    const g = await gateway({ paths: [{ name: 'wired', receivers: [receiverOf(lifeSafety, { route: { maxPriority: 1 } }), receiverOf(rest)] }] })
    const fire = (await g.gateway.emitAs('panel-1', { type: 'fire', zone: '3' })).id
    const intrusion = (await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '4' })).id
    await until(() => lifeSafety.model.events.length === 1 && rest.model.events.length === 1, 'one event at each receiver')
    expect(lifeSafety.model.events[0]!.eventId).toBe(fire)
    expect(rest.model.events[0]!.eventId).toBe(intrusion)
  })

  it('DUH: the message goes to the next receiver and the refusal is reported', async () => {
    const refusing = await centre({ faults: { duh: 1000 } })
    const taking = await centre()
    const g = await gateway({ paths: [{ name: 'wired', receivers: [receiverOf(refusing), receiverOf(taking)] }] })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await g.gateway.emitAs('gate-3', { type: 'door.forced', zone: '2' })).id)
    await until(() => taking.model.report(ids).lost.length === 0, 'the events at the second receiver')
    expect(refusing.model.events).toHaveLength(0)
    expect(refusing.model.report().duhs).toBeGreaterThanOrEqual(3)
    await g.logs.waitFor('receiver refused the message (DUH)')
  })

  it('primary path down: the backup carries the traffic and uplink.path.fault is reported; primary back: restore', async () => {
    const model = new CentreModel()
    let primary = await startCentreSim({ model })
    const port = primary.tcpPort
    const backup = await centre()
    const g = await gateway({
      paths: [
        { name: 'wired', receivers: [receiverOf(primary)], linkTestMs: 1000 },
        { name: 'cellular', receivers: [receiverOf(backup)], linkTestMs: 1000 },
      ],
    })
    const first = (await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id
    await until(() => model.events.some((e) => e.eventId === first), 'the first event on the primary')
    await primary.close()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id)
    await until(() => backup.model.report(ids).lost.length === 0, 'the events on the backup path')
    // The fault is a gateway event: it reaches the centre too (CID 351, telco 1, by the backup).
    await until(() => backup.model.events.some((e) => e.data.endsWith('1351 00 000')), 'uplink.path.fault at the centre')
    primary = await startCentreSim({ model, tcpPort: port })
    cleanup.push(() => primary.close())
    await g.logs.waitFor('uplink path restored', undefined, 20_000)
    const after = (await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id
    await until(() => model.events.some((e) => e.eventId === after), 'traffic back on the primary')
    expect(model.events.some((e) => e.data.endsWith('3351 00 000'))).toBe(true)
  })
})

describe('both uplinks from one journal', () => {
  it('the MQTT platform and the DC-09 centre each get every event; one down never holds up the other', async () => {
    const model = new CentreModel()
    let c = await startCentreSim({ model })
    const port = c.tcpPort
    const g = await startDc09Gateway({ paths: [{ name: 'wired', receivers: [receiverOf(c)] }] }, { withPlatform: true })
    try {
      const ids: string[] = []
      for (let i = 0; i < 5; i++) ids.push((await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id)
      await until(() => model.report(ids).lost.length === 0 && ids.every((id) => g.platform!.events.some((e) => e.id === id)), 'both uplinks')
      // Centre down: the platform keeps receiving.
      await c.close()
      const more: string[] = []
      for (let i = 0; i < 5; i++) more.push((await g.gateway.emitAs('panel-1', { type: 'intrusion', zone: '1' })).id)
      await until(() => more.every((id) => g.platform!.events.some((e) => e.id === id)), 'the platform while the centre is down')
      expect(model.report(more).lost).toEqual(more)
      c = await startCentreSim({ model, tcpPort: port })
      await until(() => model.report([...ids, ...more]).lost.length === 0, 'the centre catching up')
      expect(model.report([...ids, ...more])).toMatchObject({ outOfOrder: 0, lost: [] })
    } finally {
      await g.stop()
      await c.close()
    }
  })
})
