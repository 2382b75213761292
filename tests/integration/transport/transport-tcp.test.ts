import { once } from 'node:events'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Transport } from '../../../adapters/transport/transport.js'
import { TcpTransportSchema } from '../../../adapters/transport/config.js'
import { captureLog } from '../../helpers/logs.js'

/** A safety net on a loaded machine; the tests wait for events. */
const wait = () => ({ signal: AbortSignal.timeout(30_000) })

/** A stand-in for a serial device server: a real TCP server on 127.0.0.1 that can be "rebooted". */
async function deviceServer(port = 0) {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => undefined)
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    sockets,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

describe('serial transport over TCP to a device server', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  function start(port: number, log = captureLog().log): Transport {
    const t = new Transport(TcpTransportSchema.parse({ url: `tcp://127.0.0.1:${port}`, backoff: { initialMs: 50, maxMs: 200 } }), { log, random: () => 0.5 })
    cleanup.push(() => t.stop())
    t.start()
    return t
  }

  it('carries bytes both ways', async () => {
    const dev = await deviceServer()
    cleanup.push(() => dev.close())
    const accepted = once(dev.server, 'connection', wait())
    const t = start(dev.port)
    await once(t, 'open', wait())
    const [sock] = (await accepted) as [net.Socket]
    const got = once(sock, 'data', wait())
    await t.write(Buffer.from([0x06]))
    expect([...((await got)[0] as Buffer)]).toEqual([0x06])
    const back = once(t, 'data', wait())
    sock.write('5011 18')
    expect(((await back)[0] as Buffer).toString()).toBe('5011 18')
  })

  it('reconnects after the device server resets the connection', async () => {
    const dev = await deviceServer()
    cleanup.push(() => dev.close())
    const mem = captureLog()
    const t = start(dev.port, mem.log)
    await once(t, 'open', wait())
    const closed = once(t, 'close', wait())
    const reopened = new Promise<void>((r) => t.on('open', () => r()))
    for (const s of dev.sockets) s.resetAndDestroy()
    const [reason] = (await closed) as [string]
    expect(reason).toMatch(
      new RegExp(
        `^(connection to the device server lost: tcp://127.0.0.1:${dev.port}: .*ECONNRESET|the device server closed the connection: tcp://127.0.0.1:${dev.port})$`,
      ),
    )
    await reopened
    expect(t.opens).toBe(2)
    expect(mem.find('transport closed, reopening', { level: 40 })).toHaveLength(1)
    expect(mem.find('transport reopened', { level: 30 })).toHaveLength(1)
  })

  it('keeps retrying while the device server is down and reconnects when it is back on the same port', async () => {
    const first = await deviceServer()
    const port = first.port
    await first.close()
    const mem = captureLog()
    const t = start(port, mem.log)
    // Several refused attempts: the second failure is logged at debug.
    await mem.waitFor('transport retry', { level: 20 }, 30_000)
    // One warn for the outage, however many attempts it took.
    expect(mem.find('transport unavailable, retrying', { level: 40 })).toHaveLength(1)
    const again = await deviceServer(port)
    cleanup.push(() => again.close())
    await once(t, 'open', wait())
    expect(t.isOpen).toBe(true)
  })
})
