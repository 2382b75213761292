import { PinganError } from '../../base/errors.js'
import type { ModbusRequest, ModbusResponse } from './codec.js'

/** Replies that came after their attempt had timed out, and the latest of them. */
export interface LateReplies {
  count: number
  /** Time from the request to its late reply, ms. */
  maxMs: number
}

/** A request that got no valid reply in time, after every retry. The unit may be dead, or slow. */
export class ModbusTimeoutError extends PinganError {
  constructor(
    readonly unit: number,
    readonly attempts: number,
    timeoutMs: number,
    /** How many of the attempts got a reply with a bad CRC (a noisy line rather than a dead unit). */
    readonly badReplies = 0,
    /** Replies that came after the timeout (a unit slower than responseTimeoutMs rather than a dead one). */
    readonly late: LateReplies = { count: 0, maxMs: 0 },
  ) {
    const noisy = badReplies > 0 ? `; ${badReplies} repl${badReplies === 1 ? 'y' : 'ies'} had a bad CRC` : ''
    const slow =
      late.count > 0
        ? `; ${late.count} repl${late.count === 1 ? 'y' : 'ies'} came late, up to ${Math.round(late.maxMs)} ms after the request: raise responseTimeoutMs`
        : ''
    super('PINGAN_ERR_TRANSPORT', `unit ${unit} did not answer within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}${noisy}${slow})`)
  }
}

/** Where the bus writes request bytes: the shared serial transport (a port or a device server socket). */
export interface BusLink {
  write(data: Buffer): Promise<void>
}

export interface TransactOptions {
  timeoutMs: number
  retries: number
  /** Commands go ahead of polls, never in the middle of another transaction. */
  priority: 'command' | 'poll'
}

export interface Reply {
  res: ModbusResponse
  /** The reply frame, for the event's `raw` (audit). */
  frame: Buffer
}

export interface Pending {
  req: ModbusRequest
  frame: Buffer
  opts: TransactOptions
  attempts: number
  badReplies: number
  late: LateReplies
  /** When the current attempt went out. */
  sentAt: number
  resolve(r: Reply | null): void
  reject(err: Error): void
}

/** t3.5: 3.5 character times (11 bits each) at the baud rate, fixed at 1.75 ms above 19200. [SL §2.5.1.1] */
export function interFrameDelayMs(baudRate: number): number {
  return baudRate > 19_200 ? 1.75 : (3.5 * 11 * 1000) / baudRate
}
