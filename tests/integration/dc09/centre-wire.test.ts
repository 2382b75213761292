import { afterEach, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import vectors from '../../vectors/dc09/dc09.json' with { type: 'json' }
import { startCentreSim, type CentreSim } from '../../../simulators/alarm-centre/wire.js'

const T0 = Date.UTC(2025, 0, 15, 14, 30, 1)
const frame = Buffer.from(vectors.frames[0]!.frame, 'latin1')
const ackFrame = vectors.frames.find((f) => f.name.startsWith('ACK'))!.frame

describe('alarm-centre simulator over real sockets', () => {
  let sim: CentreSim | undefined
  afterEach(async () => sim?.close())

  it('TCP: a frame written in two pieces is answered with the vector ACK', async () => {
    sim = await startCentreSim({ now: () => T0 })
    const sock = connect(sim.tcpPort, '127.0.0.1')
    await once(sock, 'connect')
    sock.write(frame.subarray(0, 10))
    sock.write(frame.subarray(10))
    const [data] = (await once(sock, 'data')) as [Buffer]
    expect(data.toString('latin1')).toBe(ackFrame)
    sock.destroy()
    expect(sim.model.events).toHaveLength(1)
  })

  it('UDP: one frame per datagram, the ACK to its source', async () => {
    sim = await startCentreSim({ now: () => T0, udpPort: 0 })
    const u = createSocket('udp4')
    u.send(frame, sim.udpPort!, '127.0.0.1')
    const [data] = (await once(u, 'message')) as [Buffer]
    expect(data.toString('latin1')).toBe(ackFrame)
    u.close()
  })
})
