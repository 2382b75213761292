import { afterEach, describe, expect, it } from 'vitest'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { PubackGate } from '../../gateway/broker/puback-gate.js'

/** Holds `commit`; resolves once the gate has settled it (and written what it held). */
function hold(gate: PubackGate, commit: Promise<void>): Promise<void> {
  return new Promise((r) => gate.hold(commit, () => r()))
}

/** A commit the test settles by hand. */
function deferred(): { promise: Promise<void>; resolve(): void; reject(err: Error): void } {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

/** A real loopback connection: the server's socket (gated) and what the client has read. */
async function pair(): Promise<{ server: Socket; received(): string; closed: Promise<void>; until(text: string): Promise<void> }> {
  const srv: Server = createServer()
  servers.push(srv)
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const accepted = new Promise<Socket>((r) => srv.once('connection', r))
  const client = connect((srv.address() as AddressInfo).port, '127.0.0.1')
  client.on('error', () => undefined)
  let text = ''
  const waiters: Array<() => void> = []
  client.on('data', (d: Buffer) => {
    text += d.toString()
    for (const w of waiters.splice(0)) w()
  })
  const closed = new Promise<void>((r) => client.once('close', () => r()))
  const server = await accepted
  server.on('error', () => undefined)
  sockets.push(server, client)
  const until = async (want: string) => {
    while (!text.includes(want)) await new Promise<void>((r) => waiters.push(r))
  }
  return { server, received: () => text, closed, until }
}

const servers: Server[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

describe('PUBACK gate: bytes written after a commit started leave only once it committed', () => {
  it('passes writes through while no commit is pending', async () => {
    const { server, until } = await pair()
    new PubackGate(server)
    server.write('ack-0')
    await until('ack-0')
  })

  it('holds bytes behind every earlier commit and releases them in order', async () => {
    const { server, received, until } = await pair()
    const gate = new PubackGate(server)
    const c1 = deferred()
    const c2 = deferred()
    const s1 = hold(gate, c1.promise)
    server.write('ack-1;')
    const s2 = hold(gate, c2.promise)
    server.write('ack-2;')
    // The later commit finishes first: its PUBACK still waits for the earlier one.
    c2.resolve()
    await s2
    expect(server.bytesWritten).toBe(0)
    expect(gate.pending).toBe(2)
    c1.resolve()
    await s1
    await until('ack-2;')
    expect(received()).toBe('ack-1;ack-2;')
    expect(gate.pending).toBe(0)
  })

  it('cuts the connection on a failed commit: neither its PUBACK nor a later one is sent', async () => {
    const { server, received, closed, until } = await pair()
    const gate = new PubackGate(server)
    const ok = deferred()
    const failed = deferred()
    const later = deferred()
    void hold(gate, ok.promise)
    server.write('ack-ok;')
    void hold(gate, failed.promise)
    server.write('ack-failed;')
    const s3 = hold(gate, later.promise)
    server.write('ack-later;')
    ok.resolve()
    await until('ack-ok;')
    later.resolve()
    await s3
    failed.reject(new Error('disk I/O error'))
    await closed
    expect(received()).toBe('ack-ok;')
    expect(server.destroyed).toBe(true)
  })
})
