import net from 'node:net'
import { TransportError } from '../../base/errors.js'
import { parseTcpUrl, type TcpTransportConfig } from './config.js'
import type { Link, OpenLink } from './link.js'
import { SYSTEM_TIMERS, type Timers } from '../../base/timers.js'

/** How soon TCP keepalive starts probing an idle device server that may have lost power. */
const KEEPALIVE_DELAY_MS = 10_000

/** Opens a raw TCP socket to a serial device server (`tcp://host:port`). */
export function tcpLinkOpener(cfg: TcpTransportConfig, timers: Timers = SYSTEM_TIMERS): OpenLink {
  const { host, port } = parseTcpUrl(cfg.url)
  return (handlers) =>
    new Promise<Link>((resolve, reject) => {
      // Nagle would hold a 1-byte ACK back for up to 40 ms behind the previous write.
      const socket = net.connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_DELAY_MS })
      let connected = false
      let ended = false
      let lastError: Error | undefined
      const timer = timers.setTimeout(() => socket.destroy(new Error(`connect timed out after ${cfg.connectTimeoutMs} ms`)), cfg.connectTimeoutMs)
      socket.on('error', (err) => {
        lastError = err
        if (!connected) {
          timers.clearTimeout(timer)
          reject(new TransportError(`cannot connect to ${cfg.url}: ${err.message}`, { cause: err }))
        }
      })
      socket.on('connect', () => {
        connected = true
        timers.clearTimeout(timer)
        resolve(link)
      })
      socket.on('data', (chunk: Buffer) => handlers.onData(chunk))
      socket.on('close', () => {
        if (!connected || ended) return
        ended = true
        handlers.onClose(
          lastError ? `connection to the device server lost: ${cfg.url}: ${lastError.message}` : `the device server closed the connection: ${cfg.url}`,
          lastError,
        )
      })
      const link: Link = {
        write: (data) =>
          new Promise<void>((res, rej) => {
            if (ended || socket.destroyed) {
              rej(new TransportError(`${cfg.url} is not connected`))
              return
            }
            socket.write(data, (err) => (err ? rej(new TransportError(`write to ${cfg.url} failed: ${err.message}`, { cause: err })) : res()))
          }),
        close: () =>
          new Promise<void>((res) => {
            ended = true
            if (socket.destroyed) {
              res()
              return
            }
            socket.once('close', () => res())
            socket.destroy()
          }),
      }
    })
}
