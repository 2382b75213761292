import type { Timers } from '../../base/timers.js'
import type { Transform } from 'node:stream'
import { RtuFramer, type DropReason, type ExpectedReply, type FramerStats } from './framer.js'
import { fromMbap, MbapFramer, toMbap } from './mbap.js'

/** What the bus needs from a framer: frames out, drops reported, resync on a timeout. */
export type BusFramer = Transform & {
  readonly stats: FramerStats
  resync(reason?: DropReason): void
  expect(reply: ExpectedReply | undefined): void
}

/**
 * How requests and replies travel on a link. The bus works in RTU ADUs (unit, PDU, CRC); a
 * framing puts them in their envelope on the way out and takes them out on the way in.
 */
export interface Framing {
  readonly name: 'rtu' | 'mbap'
  readonly framer: BusFramer
  wrap(rtu: Buffer): Buffer
  /** The frame as an RTU ADU, or null when it answers some other request (an old transaction id). */
  unwrap(frame: Buffer): Buffer | null
}

/** RTU on a serial line, or RTU over TCP through a transparent device server. */
export function rtuFraming(silenceMs?: number, timers?: Timers): Framing {
  const framer = new RtuFramer({ role: 'master', ...(silenceMs !== undefined ? { silenceMs } : {}), ...(timers ? { timers } : {}) })
  return { name: 'rtu', framer, wrap: (rtu) => rtu, unwrap: (frame) => frame }
}

/** Modbus TCP: each attempt gets a new transaction id, and only a reply with that id counts. [MB-TCP §3.1.3] */
export function mbapFraming(): Framing {
  let last = 0
  return {
    name: 'mbap',
    framer: new MbapFramer(),
    wrap: (rtu) => {
      last = (last + 1) & 0xffff
      return toMbap(rtu, last)
    },
    unwrap: (frame) => {
      const { transactionId, rtu } = fromMbap(frame)
      return transactionId === last ? rtu : null
    },
  }
}
