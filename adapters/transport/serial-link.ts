import { SerialPort } from 'serialport'
import { TransportError, errorMessage } from '../../base/errors.js'
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

/**
 * What a port that went away on its own is reported as. The OS's words for it ("bad file
 * descriptor" from libuv's poll on a hung-up tty, EIO, ENXIO) say nothing to whoever reads the
 * device's state; they stay in the log as the cause.
 */
function vanishedReason(path: string): string {
  return `the serial port vanished (unplugged?): ${path}`
}

function attach(port: SerialPort, handlers: LinkHandlers): Link {
  let ended = false
  const end = (reason: string, cause?: Error): void => {
    if (ended) return
    ended = true
    handlers.onClose(reason, cause)
    if (port.isOpen) port.close(() => undefined)
  }
  port.on('data', (chunk: Buffer) => handlers.onData(chunk))
  // A read or write failing on an open port means the device went away (USB unplugged, the PTY's
  // other side gone): the stream closes with a DisconnectedError, or, when a write failed first,
  // emits the write's error. A close without an error is someone else's.
  port.on('close', (err?: Error | null) => end(err ? vanishedReason(port.path) : `the serial port was closed: ${port.path}`, err ?? undefined))
  port.on('error', (err: Error) => end(vanishedReason(port.path), err))
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
