import { read } from 'node:fs'
import { promisify } from 'node:util'
import { SerialPort } from 'serialport'

const readAsync = promisify(read)

/** The parts of bindings-cpp's unix port object this module relies on. */
interface UnixPort {
  fd: number | null
  isOpen: boolean
  poller?: { once(event: 'readable', cb: (err: Error | null) => void): unknown }
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>
}

const RETRY_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR'])

/**
 * The platform binding of `serialport`, with one fix on Linux and macOS: when the other end of a
 * tty hangs up (a PTY's master closed, some USB adapters on unplug) read() returns 0 bytes, and
 * bindings-cpp 13's `unixRead` retries at once, forever, at 100 % CPU without closing the port.
 * Here a zero-byte read is a disconnect, so the stream emits `close` and the transport reopens.
 */
export function hangupAwareBinding(): typeof SerialPort.binding {
  const base = SerialPort.binding
  if (process.platform === 'win32') return base
  // The detected binding's type is a union of the three platforms'; only open() is replaced.
  const open = base.open.bind(base) as (options: unknown) => Promise<unknown>
  return {
    ...base,
    async open(options: unknown) {
      const port = await open(options)
      const unix = port as unknown as UnixPort
      unix.read = (buffer, offset, length) => readUntilHangup(unix, buffer, offset, length)
      return port
    },
  } as typeof SerialPort.binding
}

async function readUntilHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled()
    try {
      const { bytesRead } = await readAsync(port.fd, buffer, offset, length, null)
      if (bytesRead === 0) throw Object.assign(new Error('hangup: the other end of the line went away'), { disconnect: true })
      return { bytesRead, buffer }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === undefined || !RETRY_CODES.has(code)) {
        // EIO after a hangup, ENXIO after a USB unplug, EBADF after a close: all end the port.
        if (code !== undefined) Object.assign(err as object, { disconnect: true })
        throw err
      }
      // The port may have been closed while the read sat in the thread pool; polling a destroyed
      // poller crashes the process (a native SIGSEGV), so check first, as unixRead does.
      if (!port.isOpen || port.fd === null) throw canceled()
      await new Promise<void>((resolve, reject) => {
        if (!port.poller) return reject(new Error('no poller on the serial binding'))
        port.poller.once('readable', (e) => (e ? reject(e) : resolve()))
      })
    }
  }
}

/** The error bindings-cpp raises for a read on a closed port; the stream ignores it. */
function canceled(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true })
}
