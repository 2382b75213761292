import { CountingFramer, type ScanResult } from '../transport/framer.js'
import { DC4, parseReceiverMessage, type ParseOptions, type ReceiverMessage } from './codec.js'

/** The longest message a Sur-Gard receiver sends is under 80 characters; this leaves room. */
export const MAX_MESSAGE_BYTES = 256

export interface ContactIdFramerOptions extends ParseOptions {
  maxBufferBytes?: number
}

/** A parsed message and the text it came from (the dedupe identity and the audit `raw`). */
export interface ContactIdFrame {
  text: string
  message: ReceiverMessage
}

/**
 * Splits the automation stream at DC4. Messages are printable ASCII, so a control byte (other than
 * DC4) is line noise: everything up to it is dropped and counted, and framing resumes after it.
 * A printable run ending in DC4 that does not parse is passed on as a bad frame (the adapter NAKs).
 */
export class ContactIdFramer extends CountingFramer<ContactIdFrame> {
  private readonly parse: ParseOptions

  constructor(opts: ContactIdFramerOptions = {}) {
    super({ maxBufferBytes: opts.maxBufferBytes ?? MAX_MESSAGE_BYTES })
    this.parse = { lineDigits: opts.lineDigits }
  }

  protected scan(buf: Buffer): ScanResult<ContactIdFrame> {
    const end = buf.indexOf(DC4)
    const upTo = end < 0 ? buf.length : end
    const noise = lastControlByte(buf, upTo)
    if (noise >= 0) return { kind: 'skip', length: noise + 1, reason: 'control bytes outside a message' }
    if (end < 0) return { kind: 'need' }
    const text = buf.toString('latin1', 0, end)
    const r = parseReceiverMessage(text, this.parse)
    return r.ok ? { kind: 'frame', length: end + 1, frame: { text, message: r.value } } : { kind: 'bad', length: end + 1, reason: r.reason }
  }
}

function lastControlByte(buf: Buffer, upTo: number): number {
  for (let i = upTo - 1; i >= 0; i--) {
    const b = buf[i]!
    if (b < 0x20 || b >= 0x7f) return i
  }
  return -1
}
