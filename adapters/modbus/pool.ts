import { SYSTEM_TIMERS, type Timers } from '../../base/timers.js'
import { PinganError } from '../../base/errors.js'
import type { Logger } from '../../base/log.js'
import { describeTransport, isTcpTransport, Transport, type TransportConfig } from '../transport/index.js'
import type { OpenLink } from '../transport/link.js'
import { ModbusBus } from './bus.js'
import { interFrameDelayMs } from './transaction.js'
import { mbapFraming, rtuFraming } from './framing.js'

/** One physical bus shared by the units that name its port or url. */
export interface SharedBus {
  readonly bus: ModbusBus
  readonly transport: Transport
  /** `/dev/ttyUSB0@9600 8N1` or `tcp://host:port`. */
  readonly name: string
}

interface Entry extends SharedBus {
  owners: Set<string>
  settings: string
}

/** Two units name the same port with different line settings: one bus cannot serve both. */
export class BusSettingsError extends PinganError {
  constructor(message: string) {
    super('PINGAN_ERR_CONFIG', message)
  }
}

export interface BusPoolOptions {
  /** Opens links some other way than the config says (a benchmark's paced link, a test's in-process one). */
  open?: (t: TransportConfig) => OpenLink | undefined
  /** The clock and timers of the buses, their transports and the units' polls; the system's by default. */
  timers?: Timers
}

/**
 * The open buses, by port path or url. A port can be opened once per process, and every unit on
 * an RS-485 line must share one master [SL §2.1], so the units' adapters acquire the bus here: the
 * first opens it, the last to release it closes it.
 */
export class BusPool {
  private readonly entries = new Map<string, Entry>()

  readonly timers: Timers

  constructor(private readonly opts: BusPoolOptions = {}) {
    this.timers = opts.timers ?? SYSTEM_TIMERS
  }

  acquire(t: TransportConfig, line: { framing: 'rtu' | 'mbap'; frameSilenceMs?: number | undefined }, owner: string, log: Logger): SharedBus {
    const key = isTcpTransport(t) ? t.url : t.path
    const { framing, frameSilenceMs } = line
    const settings = `${describeTransport(t)}${framing === 'mbap' ? ' (Modbus TCP)' : ''}${frameSilenceMs !== undefined ? `, frame silence ${frameSilenceMs} ms` : ''}`
    const found = this.entries.get(key)
    if (found !== undefined) {
      if (found.settings !== settings) {
        throw new BusSettingsError(
          `${owner} names ${key} as ${settings}, but ${[...found.owners].join(', ')} opened it as ${found.settings}: give every unit on one bus the same transport settings`,
        )
      }
      found.owners.add(owner)
      return found
    }
    const busLog = log.child({ bus: settings })
    const open = this.opts.open?.(t)
    const transport = new Transport(t, { log: busLog, timers: this.timers, ...(open ? { open } : {}) })
    // A device server's TCP link has no line timing of its own; its serial side keeps t3.5 for us.
    const gap = isTcpTransport(t) ? 0 : interFrameDelayMs(t.baudRate)
    const bus = new ModbusBus({
      log: busLog,
      link: transport,
      timers: this.timers,
      interFrameDelayMs: gap,
      framing: framing === 'mbap' ? mbapFraming() : rtuFraming(frameSilenceMs, this.timers),
    })
    transport.on('data', (chunk) => bus.onData(chunk))
    // A reopened link starts clean: bytes of a frame cut by the outage will never complete.
    transport.on('close', () => bus.framer.resync('resync'))
    const entry: Entry = { bus, transport, name: settings, owners: new Set([owner]), settings }
    this.entries.set(key, entry)
    transport.start()
    return entry
  }

  async release(shared: SharedBus, owner: string): Promise<void> {
    for (const [key, e] of this.entries) {
      if (e !== shared) continue
      e.owners.delete(owner)
      if (e.owners.size > 0) return
      this.entries.delete(key)
      e.bus.close()
      await e.transport.stop()
      return
    }
  }
}
