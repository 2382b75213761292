import { describe, expect, it } from 'vitest'
import { TransportSchema, describeTransport, parseTcpUrl } from '../../../adapters/transport/config.js'
import { Backoff } from '../../../adapters/transport/backoff.js'

describe('transport config', () => {
  it('fills serial defaults (9600 8N1)', () => {
    const t = TransportSchema.parse({ path: '/dev/ttyUSB0' })
    expect(t).toEqual({ path: '/dev/ttyUSB0', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, reconnectMinMs: 500, reconnectMaxMs: 30_000 })
    expect(describeTransport(t)).toBe('/dev/ttyUSB0@9600 8N1')
  })

  it('accepts the short string forms', () => {
    expect(TransportSchema.parse('/dev/ttyS1')).toMatchObject({ path: '/dev/ttyS1', baudRate: 9600 })
    expect(TransportSchema.parse('tcp://10.0.0.7:4001')).toMatchObject({ url: 'tcp://10.0.0.7:4001', connectTimeoutMs: 5000 })
  })

  it.each([
    [{ url: 'tcp://host' }],
    [{ url: 'http://host:80' }],
    [{ url: 'tcp://host:70000' }],
    ['tcp://host:'],
    [{ path: '/dev/ttyUSB0', parity: 'weird' }],
    [{ path: '/dev/ttyUSB0', dataBits: 9 }],
    [{ path: '/dev/ttyUSB0', url: 'tcp://a:1' }],
  ])('rejects %j', (bad) => {
    expect(TransportSchema.safeParse(bad).success).toBe(false)
  })

  it('parses host and port, IPv6 included', () => {
    expect(parseTcpUrl('tcp://10.0.0.7:4001')).toEqual({ host: '10.0.0.7', port: 4001 })
    expect(parseTcpUrl('tcp://[::1]:502')).toEqual({ host: '::1', port: 502 })
    expect(describeTransport(TransportSchema.parse({ path: '/dev/ttyS0', baudRate: 19200, dataBits: 7, parity: 'even', stopBits: 2 }))).toBe('/dev/ttyS0@19200 7E2')
  })
})

describe('reconnect backoff', () => {
  it('doubles from min to the cap, with half of each delay jittered', () => {
    const lo = new Backoff({ minMs: 100, maxMs: 1000, random: () => 0 })
    expect(Array.from({ length: 6 }, () => lo.next())).toEqual([50, 100, 200, 400, 500, 500])
    const hi = new Backoff({ minMs: 100, maxMs: 1000, random: () => 0.999999 })
    expect(Array.from({ length: 6 }, () => hi.next())).toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('starts over after reset and counts attempts', () => {
    const b = new Backoff({ minMs: 100, maxMs: 1000, random: () => 0.5 })
    b.next()
    b.next()
    expect(b.attempts).toBe(2)
    b.reset()
    expect(b.attempts).toBe(0)
    expect(b.next()).toBe(75)
  })

  it('never overflows after a very long outage', () => {
    const b = new Backoff({ minMs: 500, maxMs: 30_000, random: () => 0.5 })
    let last = 0
    for (let i = 0; i < 10_000; i++) last = b.next()
    expect(last).toBe(22_500)
  })
})
