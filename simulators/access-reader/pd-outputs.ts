import * as P from './replies.js'

/** One reader LED: a temporary colour until a time, then its permanent colour [OSDP 2.2 §6.10]. */
export interface LedState {
  color: number
  /** The temporary state lasts until then (0: permanent colour). */
  until: number
  permanentColor: number
}

/**
 * osdp_OUT [§6.7]: each 4-byte record sets one output; `outputUntil[i]` is when output i goes off
 * (Infinity: on until told, 0: off). A reader that refuses its outputs answers NAK 0x09, as libosdp.
 */
export function applyOut(outputUntil: number[], data: Buffer, now: number, refuse: boolean): { reply: P.ReplyPayload; pulses: number } {
  if (data.length === 0 || data.length % 4 !== 0) return { reply: P.nak(0x02), pulses: 0 }
  if (refuse) return { reply: P.nak(0x09), pulses: 0 }
  let pulses = 0
  for (let o = 0; o < data.length; o += 4) {
    const n = data[o]!
    if (n >= outputUntil.length) return { reply: P.nak(0x09), pulses }
    const ctl = data[o + 1]!
    const timerMs = data.readUInt16LE(o + 2) * 100
    // [§6.7] 1/3 off, 2/4 permanently on, 5 a timed pulse on, 6 a timed pulse off.
    if (ctl === 1 || ctl === 3) outputUntil[n] = 0
    else if (ctl === 2 || ctl === 4) outputUntil[n] = Number.POSITIVE_INFINITY
    else if (ctl === 5) {
      outputUntil[n] = now + timerMs
      pulses++
    } else if (ctl === 6) outputUntil[n] = 0
  }
  return { reply: P.ACK, pulses }
}

/** osdp_LED [§6.10]: 14-byte records, each a temporary and a permanent setting for one LED. */
export function applyLed(leds: Map<number, LedState>, data: Buffer, now: number): P.ReplyPayload {
  if (data.length === 0 || data.length % 14 !== 0) return P.nak(0x02)
  for (let o = 0; o < data.length; o += 14) {
    const cur = leds.get(data[o + 1]!) ?? { color: 0, until: 0, permanentColor: 0 }
    if (data[o + 9] === 1) cur.permanentColor = data[o + 12]!
    if (data[o + 2] === 2) {
      cur.color = data[o + 5]!
      cur.until = now + data.readUInt16LE(o + 7) * 100
    }
    leds.set(data[o + 1]!, cur)
  }
  return P.ACK
}

/** The colour an LED shows now (0, black, for one never set). */
export function ledColorAt(s: LedState | undefined, now: number): number {
  if (!s) return 0
  return s.until > now ? s.color : s.permanentColor
}
