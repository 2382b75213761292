import type { Logger } from '../base/log.js'

/** After this many connections lost with events in flight and none acknowledged, send one at a time. */
const PROBE_AFTER_DROPS = 2
const PROBE_SUCCESSES_TO_LEAVE = 20

/**
 * Decides what a refusal costs an event. A platform that keeps refusing one event (an ACL denial
 * that closes the connection on RabbitMQ) must not block everything behind it: after repeated
 * drops with nothing acknowledged the window shrinks to one event (the probe), so the one refused
 * is found; each of its attempts is counted and it is parked after `maxAttempts`.
 */
export class RefusalPolicy {
  /** This run's attempts per position; the outbox's stored count carries them over a restart. */
  private readonly attempts = new Map<number, number>()
  private ackedSinceUp = 0
  private drops = 0
  private probe = false
  private probeSuccesses = 0

  constructor(
    private readonly uplink: string,
    private readonly log: Logger,
  ) {}

  /** While probing, one event at a time. */
  window(full: number): number {
    return this.probe ? 1 : full
  }

  connected(): void {
    this.ackedSinceUp = 0
  }

  acknowledged(pos: number): void {
    this.attempts.delete(pos)
    this.ackedSinceUp++
    this.drops = 0
    if (this.probe && ++this.probeSuccesses >= PROBE_SUCCESSES_TO_LEAVE) {
      this.probe = false
      this.log.info({ uplink: this.uplink }, 'uplink stable again: full window')
    }
  }

  /**
   * The connection dropped with `blamed` being what the broker stopped at (or nothing to blame).
   * True when that drop counts as a refused attempt of it (only while probing, when it was alone).
   */
  dropped(blamed: boolean): boolean {
    if (!blamed || this.ackedSinceUp !== 0) return false
    this.drops++
    const counts = this.probe
    if (this.drops >= PROBE_AFTER_DROPS && !this.probe) {
      this.probe = true
      this.probeSuccesses = 0
      this.log.warn({ uplink: this.uplink }, 'connection keeps dropping with events in flight: sending one at a time to find the one refused')
    }
    return counts
  }

  /** Counts one refused attempt; returns the total, forgotten once it reaches `max` (the event is parked). */
  refused(pos: number, stored: number | undefined, max: number): number {
    // This run's own count is ahead of the stored one until it is recorded.
    const n = Math.max(this.attempts.get(pos) ?? 0, stored ?? 0) + 1
    if (n >= max) this.attempts.delete(pos)
    else this.attempts.set(pos, n)
    return n
  }
}
