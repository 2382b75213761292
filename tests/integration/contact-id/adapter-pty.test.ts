import { once } from 'node:events'
import { closeSync, openSync, writeSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { ContactIdAdapter } from '../../../adapters/contact-id/adapter.js'
import { ContactIdDeviceSchema } from '../../../adapters/contact-id/config.js'
import type { AdapterContext, DeviceState, EmitResult } from '../../../adapters/types.js'
import type { EventInput } from '../../../base/events/event.js'
import { Transport } from '../../../adapters/transport/transport.js'
import { SerialPortTransportSchema } from '../../../adapters/transport/config.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'
import { captureLog } from '../../helpers/logs.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { DEADLINE_MS, until } from './support.js'

const ACK = 0x06
const NAK = 0x15
const DC4 = '\x14'

/**
 * The adapter on one end of a real PTY, the test writing raw receiver bytes on the other. The
 * gateway's emit() is a deferred the test resolves, to see exactly when the answer goes out.
 */
describe('Contact ID adapter on a PTY, byte by byte', { timeout: 4 * DEADLINE_MS }, () => {
  let pair: PtyPair | undefined
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const s of stops.splice(0).reverse()) await s()
    await pair?.close()
  })

  async function setup(extra: Record<string, unknown> = {}, timers?: ManualTimers) {
    pair = await startPtyPair()
    const emitted: Array<{ input: EventInput; resolve: (r: EmitResult) => void }> = []
    const states: Array<Partial<DeviceState>> = []
    const logs = captureLog()
    const ctx: AdapterContext = {
      log: logs.log,
      now: () => (timers ? timers.now() : Date.now()),
      ...(timers ? { timers } : {}),
      signal: new AbortController().signal,
      emit: (input) =>
        new Promise<EmitResult>((resolve) => {
          // Supervision events commit at once; alarm events wait for the test.
          if (input.type.startsWith('device.')) resolve({ id: 'sup', duplicate: false })
          else emitted.push({ input, resolve })
        }),
      setState: (s) => void states.push(s),
    }
    const cfg = ContactIdDeviceSchema.parse({ id: 'rx', adapter: 'contact-id', transport: { path: pair.a, baudRate: 115200 }, supervisionMs: 1000, ...extra })
    const adapter = new ContactIdAdapter(cfg, ctx)
    await adapter.start()
    stops.push(() => adapter.stop())
    const receiver = new Transport(SerialPortTransportSchema.parse({ path: pair.b, baudRate: 115200 }), { log: logs.log })
    const answers: number[] = []
    receiver.on('data', (c) => answers.push(...c))
    const opened = once(receiver, 'open')
    receiver.start()
    await opened
    stops.push(() => receiver.stop())
    const send = (text: string) => receiver.write(Buffer.from(text + DC4, 'latin1'))
    const answer = async (n: number) => {
      await until(`${n} answers`, () => answers.length >= n)
      return answers.slice(0, n)
    }
    /** Waits until `n` events are waiting for the test to commit them. */
    const pending = (n: number) => until(`${n} events emitted`, () => emitted.length >= n)
    return { adapter, emitted, states, answers, answer, pending, send, logs }
  }

  it('answers heartbeat ACK, garbled NAK, bad checksum NAK, other protocol ACK', async () => {
    const { send, answer, logs, adapter } = await setup()
    await send('1011           @    ')
    await send('5011 181234X12101001')
    await send('1234181131010159')
    await send('2011 #1234|NBA01')
    // A garbled message behind a printable noise byte, as the simulated line sends it.
    await send('Q5011 181234X60201000')
    expect(await answer(5)).toEqual([ACK, NAK, NAK, ACK, NAK])
    expect(logs.find('garbled message, NAK')).toHaveLength(3)
    expect(logs.find('message in a protocol not decoded, acknowledged')[0]).toMatchObject({ protocol: '2' })
    expect(adapter.counters).toMatchObject({ heartbeats: 1, naks: 3, unknown: 1 })
  })

  it('health(): the line as LinkStats, the heartbeat as last seen, the supervision window', async () => {
    const { send, answer, adapter } = await setup()
    expect(adapter.health()).toMatchObject({
      online: false,
      link: { frames: 0, retries: 0, crcErrors: 0, timeouts: 0, droppedBytes: 0 },
      supervision: { windowMs: 1000 },
    })
    expect(adapter.health().lastSeenAt).toBeUndefined()
    await send('1011           @    ')
    await send('5011 181234X12101001')
    // Two control bytes of line noise before a heartbeat.
    await send('\x01\x02' + '1011           @    ')
    expect(await answer(3)).toEqual([ACK, NAK, ACK])
    const h = adapter.health()
    expect(h).toMatchObject({ online: true, info: {}, link: { frames: 2, retries: 0, crcErrors: 1, timeouts: 0, droppedBytes: 2 } })
    expect(h.lastSeenAt).toBeTypeOf('number')
  })

  it('sends ACK only after emit() resolves, and handles the next message only then', async () => {
    const { send, answer, answers, emitted, pending, logs } = await setup()
    await send('5011 181234E13101015')
    await send('5011 181234E11001003')
    await pending(1)
    expect(emitted[0]!.input).toMatchObject({ type: 'intrusion', dedupeKey: 'cid:5011 181234E13101015' })
    await until('both read', () => logs.find('message received').length === 2)
    // Committed yet? No: so no ACK, and the message behind it waits its turn. (An absence has no
    // event to wait for: a short pause gives a wrong answer time to show.)
    await new Promise((r) => setTimeout(r, 300))
    expect(answers).toEqual([])
    expect(emitted).toHaveLength(1)
    emitted[0]!.resolve({ id: 'e1', duplicate: false })
    expect(await answer(1)).toEqual([ACK])
    await pending(2)
    emitted[1]!.resolve({ id: 'e2', duplicate: false })
    expect(await answer(2)).toEqual([ACK, ACK])
  })

  it('acknowledges a repeat the journal reports as a duplicate, counting it', async () => {
    const { send, answer, emitted, pending, adapter } = await setup()
    await send('5011 181234E13101015')
    await pending(1)
    emitted[0]!.resolve({ id: 'e1', duplicate: false })
    await answer(1)
    // Our ACK was lost: the receiver repeats the message.
    await send('5011 181234E13101015')
    await pending(2)
    emitted[1]!.resolve({ id: 'e1', duplicate: true })
    expect(await answer(2)).toEqual([ACK, ACK])
    expect(adapter.counters).toMatchObject({ events: 1, duplicates: 1 })
  })

  it('answers once what the receiver sent again before our ACK (a slow commit), then the next message', async () => {
    const { send, answer, answers, emitted, pending, adapter, logs } = await setup()
    await send('5011 181234E13101015')
    await pending(1)
    // The commit outlasts the receiver's wait: it sends the message again, gives up, heartbeats.
    await send('5011 181234E13101015')
    await send('1011           @    ')
    await until('all three read', () => logs.find('message received').length === 3)
    emitted[0]!.resolve({ id: 'e1', duplicate: false })
    await logs.waitFor('sent before our ACK, already answered', { raw: '1011           @    ' })
    await send('5011 181234E11001003')
    await pending(2)
    emitted[1]!.resolve({ id: 'e2', duplicate: false })
    expect(await answer(2)).toEqual([ACK, ACK])
    expect(answers).toHaveLength(2)
    expect(emitted).toHaveLength(2)
    expect(adapter.counters).toMatchObject({ events: 2, duplicates: 1, heartbeats: 1 })
  })

  it('goes online on the first message and offline after supervisionMs of silence, once each', async () => {
    // The adapter's clock and timers are the test's: the silence passes without sleeping.
    const timers = new ManualTimers(1_000_000)
    const { send, answer, states } = await setup({}, timers)
    await send('1011           @    ')
    await answer(1)
    expect(states).toContainEqual(expect.objectContaining({ online: true }))
    // The heartbeat re-armed the window: one timer, due supervisionMs after it.
    expect(timers.dueTimes()).toEqual([1_001_000])
    await timers.fireNext()
    const offline = states.filter((s) => s.online === false)
    expect(offline).toEqual([{ online: false, reason: 'no heartbeat for 1 s' }])
    // Offline once: nothing is armed until the receiver is heard again.
    expect(timers.size).toBe(0)
  })

  it('resyncs after noise and a half message, and decodes what follows', async () => {
    const { answer, emitted, answers, pending } = await setup()
    const raw = Buffer.concat([
      Buffer.from([0x00, 0xff, 0x13]),
      Buffer.from('5011 18', 'latin1'),
      Buffer.from([0x07]),
      Buffer.from('34E13101015\x145011 181234E13101015\x14', 'latin1'),
    ])
    // One write, so the noise, the cut message and the good one arrive together.
    const fd = openSync(pair!.b, 'w')
    writeSync(fd, raw)
    closeSync(fd)
    await pending(1)
    emitted[0]!.resolve({ id: 'e1', duplicate: false })
    expect(await answer(2)).toEqual([NAK, ACK])
    expect(answers).toHaveLength(2)
  })
})
