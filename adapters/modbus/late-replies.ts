import type { Logger } from '../../base/log.js'
import type { Timers } from '../../base/timers.js'
import type { Pending } from './transaction.js'

/** Modbus TCP transaction ids remembered, oldest dropped first. */
const SENT_IDS_KEPT = 16

/**
 * Replies that answer no request in progress: late ones (after their attempt timed out) and
 * strays. Says how late each was (from the attempt it answers: by transaction id on Modbus TCP,
 * by unit during an RTU drain), charges it to its request so the timeout says "slow" rather than
 * "dead", and warns once per unit (the rest at debug).
 */
export class LateReplyLog {
  /** Units whose late replies were already logged as a warning; later ones are counted at debug. */
  private readonly warned = new Set<number>()
  private readonly sentIds = new Map<number, { p: Pending; at: number }>()

  constructor(
    private readonly mbap: boolean,
    private readonly timers: Timers,
    private readonly log: Logger,
  ) {}

  /** Modbus TCP: which attempt each recent transaction id was, to say how late a stray reply is. */
  sent(id: number, p: Pending): void {
    this.sentIds.delete(id)
    this.sentIds.set(id, { p, at: p.sentAt })
    if (this.sentIds.size > SENT_IDS_KEPT) this.sentIds.delete(this.sentIds.keys().next().value!)
  }

  /**
   * A reply with no request to answer: it came after its request timed out (while the line was
   * draining, or with an old Modbus TCP transaction id). Logged with how late it was, and charged
   * to its request if that is still `current`. `strayFrames` is the bus's count, this one included.
   */
  discard(frame: Buffer, p: Pending | undefined, current: Pending | undefined, strayFrames: number): void {
    const unit = frame[this.mbap ? 6 : 0] as number
    // RTU carries no id: during a drain the reply is taken to be the timed-out attempt's.
    const origin = this.mbap ? this.sentIds.get(frame.readUInt16BE(0)) : p !== undefined && p.req.unit === unit ? { p, at: p.sentAt } : undefined
    const lateMs = origin === undefined ? undefined : this.timers.now() - origin.at
    if (origin !== undefined && origin.p === current && lateMs !== undefined) {
      origin.p.late.count++
      origin.p.late.maxMs = Math.max(origin.p.late.maxMs, lateMs)
    }
    const fields = { unit, lateMs, timeoutMs: origin?.p.opts.timeoutMs, frame: frame.toString('hex'), strayFrames }
    if (this.warned.has(unit)) {
      this.log.debug(fields, 'late reply discarded')
      return
    }
    this.warned.add(unit)
    this.log.warn({ ...fields, action: 'the unit answers after responseTimeoutMs: raise responseTimeoutMs above lateMs' }, 'late reply discarded')
  }
}
