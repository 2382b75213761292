import { CodecError } from '../../base/errors.js'
import * as R from './replies.js'
import type { FaultCause } from './refusals.js'
import { decodeWiegand, type Card } from './wiegand.js'

/** What a PD link reports to the adapter. */
export type LinkEvent =
  | { type: 'online'; secure: boolean; first: boolean }
  | { type: 'offline'; reason: string }
  | { type: 'identity'; id: R.PdId }
  | { type: 'capabilities'; caps: ReturnType<typeof R.summarizeCaps> }
  | { type: 'card'; reader: number; card: Card; raw: Buffer }
  | { type: 'keypad'; reader: number; keys: string; raw: Buffer }
  | { type: 'local-status'; status: R.LocalStatus }
  | { type: 'inputs'; inputs: boolean[] }
  | { type: 'outputs'; outputs: boolean[] }
  | { type: 'nak'; command: string; nak: R.Nak }
  | { type: 'secure-failure'; reason: string }
  /** The second failed attempt in a row: what is wrong, once per run of failures. */
  | { type: 'fault'; cause: FaultCause; detail: string }
  /** The reader answered a POLL again after `failures` failed attempts (`fault`: one was reported). */
  | { type: 'recovered'; failures: number; fault: boolean }
  | { type: 'keyset' }
  | { type: 'bad-reply'; reason: string }

/** Turns one reply payload into link events. Pure; a malformed payload becomes `bad-reply`. */
export function interpretReply(code: number, data: Buffer, raw: Buffer): LinkEvent[] {
  try {
    switch (code) {
      case R.REPLY.PDID:
        return [{ type: 'identity', id: R.decodePdId(data) }]
      case R.REPLY.PDCAP:
        return [{ type: 'capabilities', caps: R.summarizeCaps(R.decodePdCap(data)) }]
      case R.REPLY.LSTATR:
        return [{ type: 'local-status', status: R.decodeLstatr(data) }]
      case R.REPLY.ISTATR:
        return [{ type: 'inputs', inputs: R.decodeStates(data) }]
      case R.REPLY.OSTATR:
        return [{ type: 'outputs', outputs: R.decodeStates(data) }]
      case R.REPLY.RAW: {
        const c = R.decodeRaw(data)
        return [{ type: 'card', reader: c.reader, card: decodeWiegand(c.data, c.bits), raw }]
      }
      case R.REPLY.FMT: {
        // [§7.11] a card number already formatted as ASCII digits by the reader.
        const f = R.decodeFmt(data)
        return [
          {
            type: 'card',
            reader: f.reader,
            card: { format: 'raw', bits: 0, card: f.text, hex: Buffer.from(f.text, 'latin1').toString('hex'), note: 'formatted by the reader (osdp_FMT)' },
            raw,
          },
        ]
      }
      case R.REPLY.KEYPAD: {
        const k = R.decodeKeypad(data)
        return [{ type: 'keypad', reader: k.reader, keys: k.keys, raw }]
      }
      case R.REPLY.ACK:
      case R.REPLY.CCRYPT:
      case R.REPLY.RMAC_I:
        return []
      default:
        return [{ type: 'bad-reply', reason: `unexpected reply code 0x${code.toString(16)}` }]
    }
  } catch (err) {
    if (err instanceof CodecError) return [{ type: 'bad-reply', reason: err.message }]
    throw err
  }
}
