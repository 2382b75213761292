import { describe, expect, it } from 'vitest'
import { TransportSchema, describeTransport, parseTcpUrl } from '../../../adapters/transport/config.js'
import { deprecatedKeys } from '../../../base/backoff.js'

describe('transport config', () => {
  it('fills serial defaults (9600 8N1)', () => {
    const t = TransportSchema.parse({ path: '/dev/ttyUSB0' })
    expect(t).toEqual({ path: '/dev/ttyUSB0', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, backoff: { initialMs: 500, maxMs: 30_000 } })
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
    expect(describeTransport(TransportSchema.parse({ path: '/dev/ttyS0', baudRate: 19200, dataBits: 7, parity: 'even', stopBits: 2 }))).toBe(
      '/dev/ttyS0@19200 7E2',
    )
  })
})

describe('reconnect backoff settings', () => {
  it('reads the old spelling (reconnectMinMs / reconnectMaxMs) into backoff, and notes it for pingan check', () => {
    const t = TransportSchema.parse({ url: 'tcp://10.0.0.7:4001', reconnectMinMs: 50, reconnectMaxMs: 900 })
    expect(t).toEqual({ url: 'tcp://10.0.0.7:4001', connectTimeoutMs: 5000, backoff: { initialMs: 50, maxMs: 900 } })
    expect(deprecatedKeys({ transport: t }, 'devices.0')).toEqual([
      { path: 'devices.0.transport.reconnectMinMs', key: 'reconnectMinMs', use: 'backoff.initialMs' },
      { path: 'devices.0.transport.reconnectMaxMs', key: 'reconnectMaxMs', use: 'backoff.maxMs' },
    ])
  })

  it('the new spelling wins where both are written, and is not reported', () => {
    const t = TransportSchema.parse({ path: '/dev/ttyS0', backoff: { initialMs: 20 }, reconnectMaxMs: 700 })
    expect(t.backoff).toEqual({ initialMs: 20, maxMs: 700 })
    expect(deprecatedKeys(t, '')).toEqual([{ path: 'reconnectMaxMs', key: 'reconnectMaxMs', use: 'backoff.maxMs' }])
    expect(deprecatedKeys(TransportSchema.parse({ path: '/dev/ttyS0', backoff: { initialMs: 20, maxMs: 700 } }), '')).toEqual([])
  })
})
