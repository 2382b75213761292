import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { Transport } from '../../../adapters/transport/transport.js'
import { SerialPortTransportSchema } from '../../../adapters/transport/config.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'
import { captureLog } from '../../helpers/logs.js'

/** A safety net on a loaded machine; the tests wait for events. */
const WAIT = {
  get signal() {
    return AbortSignal.timeout(30_000)
  },
}

function serial(path: string, extra: Record<string, unknown> = {}) {
  return SerialPortTransportSchema.parse({ path, baudRate: 115200, backoff: { initialMs: 50, maxMs: 200 }, ...extra })
}

/** Collects what arrives on a transport until `n` bytes are there. */
async function receive(t: Transport, n: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let size = 0
  while (size < n) {
    const [chunk] = (await once(t, 'data', { signal: AbortSignal.timeout(5000) })) as [Buffer]
    parts.push(chunk)
    size += chunk.length
  }
  return Buffer.concat(parts)
}

describe('serial transport over a socat PTY pair', () => {
  let pair: PtyPair | undefined
  const open: Transport[] = []
  afterEach(async () => {
    for (const t of open.splice(0)) await t.stop()
    await pair?.close()
    pair = undefined
  })

  function start(path: string, log = captureLog().log): Transport {
    const t = new Transport(serial(path), { log, random: () => 0.5 })
    open.push(t)
    t.start()
    return t
  }

  it('carries bytes both ways with the configured line settings', async () => {
    pair = await startPtyPair()
    const host = start(pair.a)
    const device = start(pair.b)
    await Promise.all([once(host, 'open', WAIT), once(device, 'open', WAIT)])
    expect(host.name).toBe(`${pair.a}@115200 8N1`)
    const got = receive(device, 5)
    await host.write(Buffer.from('hello'))
    expect((await got).toString()).toBe('hello')
    const back = receive(host, 3)
    await device.write(Buffer.from([0x06, 0x15, 0x14]))
    expect([...(await back)]).toEqual([0x06, 0x15, 0x14])
  })

  it('reopens after an unplug, raising close and open once and logging each change once', async () => {
    pair = await startPtyPair()
    const mem = captureLog()
    const host = start(pair.a, mem.log)
    await once(host, 'open', WAIT)
    const closes: string[] = []
    host.on('close', (reason) => closes.push(reason))
    const closed = once(host, 'close', WAIT)
    await pair.unplug()
    await closed
    // Said so an installer knows what happened; the OS's words ("bad file descriptor") stay in the log.
    expect(closes).toEqual([`the serial port vanished (unplugged?): ${pair.a}`])
    expect(host.isOpen).toBe(false)
    await expect(host.write(Buffer.from('x'))).rejects.toThrow(/not open/)
    // A failed attempt while unplugged (the link path is gone) before the replug.
    await mem.waitFor('transport unavailable, retrying', { level: 40 }, 30_000)
    // Listen first: the transport may reopen before replug() has seen socat's ready line.
    const reopened = once(host, 'open', WAIT)
    await pair.replug()
    await reopened
    expect(host.opens).toBe(2)
    const lost = mem.find('transport closed, reopening', { level: 40 })
    expect(lost).toHaveLength(1)
    expect(lost[0]!['err']).toMatchObject({ message: expect.any(String), stack: expect.any(String) })
    expect(mem.find('transport unavailable, retrying', { level: 40 })).toHaveLength(1)
    expect(mem.find('transport reopened', { level: 30 })).toHaveLength(1)
    expect(mem.find('transport retry', { level: 20 }).length).toBeGreaterThan(0)
    // And the line works again.
    const device = start(pair.b)
    await once(device, 'open', WAIT)
    const got = receive(device, 2)
    await host.write(Buffer.from('ok'))
    expect((await got).toString()).toBe('ok')
  })

  it('keeps retrying a path that does not exist yet and opens when it appears', async () => {
    const mem = captureLog()
    const dir = (await import('node:fs')).mkdtempSync('/tmp/pingan-pty-late-')
    const host = start(`${dir}/a`, mem.log)
    await mem.waitFor('transport unavailable, retrying', { level: 40 }, 30_000)
    const opened = once(host, 'open', WAIT)
    pair = await startPtyPair({ dir })
    await opened
    const unavailable = mem.find('transport unavailable, retrying', { level: 40 })
    expect(unavailable).toHaveLength(1)
    // The error itself, its stack and cause, not just its message.
    expect(unavailable[0]!['err']).toMatchObject({ message: expect.stringMatching(/cannot open/), stack: expect.any(String) })
    expect(mem.find('transport open', { level: 30 })).toHaveLength(1)
  })

  it('stop() closes the port, emits close and stops retrying', async () => {
    pair = await startPtyPair()
    const host = start(pair.a)
    await once(host, 'open', WAIT)
    const closed = once(host, 'close', WAIT)
    await host.stop()
    expect(await closed).toEqual(['stopped'])
    expect(host.state).toBe('stopped')
    // The port is free again: another opener can take it (serialport locks it while open).
    const again = start(pair.a)
    await once(again, 'open', WAIT)
  })
})
