import type { AppendInput, QueuedAppend } from './types.js'

/** A device stays barred at most this long when its producer does not send the refused event again. */
export const BARRIER_MAX_MS = 60_000

/**
 * Per-device order across a refused commit. A producer with several QoS 1 publishes in flight has
 * its event #n refused (the commit failed; no PUBACK) while #n+5, read from the same socket, is
 * still on its way to the journal. Committed, #n+5 would take the device's next seq, and the
 * producer's resend of #n would come after it: the platform would get them out of order, with seqs
 * that agree with the wrong order. So once a device's events are refused, its later events are
 * refused too (those already queued at once, by the journal's queue) until the producer sends a
 * refused one again, which it does first [MQTT-4.6.0-1: resends in the original order].
 *
 * Only events whose id the producer supplied can be recognised when they come back; for the others
 * (adapters, which wait for each commit before the next frame) the barrier is the queue sweep alone.
 */
export class OrderBarrier {
  private readonly barred = new Map<string, { refused: Set<string>; since: number }>()

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.barred.size
  }

  /** These events were refused as retryable: their devices are barred until one comes back. */
  raise(part: readonly QueuedAppend[]): void {
    for (const { input } of part) {
      if (!input.checkId) continue
      const device = input.event.device
      let b = this.barred.get(device)
      if (!b) this.barred.set(device, (b = { refused: new Set(), since: this.now() }))
      b.refused.add(input.event.id)
    }
  }

  /**
   * Whether a new event may join the queue. A refused event sent again lowers its device's barrier;
   * any other event of a barred device is refused, and counts as refused from then on.
   */
  admits(input: AppendInput): boolean {
    const device = input.event.device
    const b = this.barred.get(device)
    if (!b) return true
    if (this.now() - b.since > BARRIER_MAX_MS || (input.checkId && b.refused.has(input.event.id))) {
      this.barred.delete(device)
      return true
    }
    if (input.checkId) b.refused.add(input.event.id)
    return false
  }
}
