import { SerialPort } from 'serialport'
import { TransportError, errorMessage } from '../../gateway/errors.js'
import type { SerialPortTransportConfig } from './config.js'
import { hangupAwareBinding } from './hangup-binding.js'
import type { Link, LinkHandlers, OpenLink } from './link.js'

/** Opens a local port through `serialport` with the configured line settings. */
export function serialLinkOpener(cfg: SerialPortTransportConfig): OpenLink {
  return (handlers) =>
    new Promise<Link>((resolve, reject) => {
      let port: SerialPort
      try {
        port = new SerialPort({
          path: cfg.path,
          baudRate: cfg.baudRate,
          dataBits: cfg.dataBits,
          parity: cfg.parity,
          stopBits: cfg.stopBits,
          autoOpen: false,
          // Not in SerialPort's option type, but honoured: it spreads options over its default binding.
          ...({ binding: hangupAwareBinding() } as object),
        })
      } catch (err) {
        reject(new TransportError(`cannot use ${cfg.path}: ${errorMessage(err)}`, { cause: err }))
        return
      }
      port.open((err) => {
        if (err) {
          reject(new TransportError(`cannot open ${cfg.path}: ${err.message}`, { cause: err }))
          return
        }
        resolve(attach(port, handlers))
      })
    })
}

function attach(port: SerialPort, handlers: LinkHandlers): Link {
  let ended = false
  const end = (reason: string): void => {
    if (ended) return
    ended = true
    handlers.onClose(reason)
    if (port.isOpen) port.close(() => undefined)
  }
  port.on('data', (chunk: Buffer) => handlers.onData(chunk))
  // The Linux binding closes the port with a `disconnected` error when the device goes away
  // (USB unplugged, the PTY's other side gone).
  port.on('close', (err?: Error | null) => end(err ? err.message : 'port closed'))
  port.on('error', (err: Error) => end(err.message))
  return {
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        if (ended || !port.isOpen) {
          reject(new TransportError(`${port.path} is not open`))
          return
        }
        port.write(data, (err) => (err ? reject(new TransportError(`write to ${port.path} failed: ${err.message}`, { cause: err })) : resolve()))
      }),
    close: () =>
      new Promise<void>((resolve) => {
        ended = true
        if (!port.isOpen) {
          resolve()
          return
        }
        port.close(() => resolve())
      }),
  }
}
