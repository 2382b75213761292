/**
 * Reconnect delays: exponential from `minMs`, capped at `maxMs`, with "equal jitter" (half fixed,
 * half random) so a fleet of gateways behind one rebooted device server does not reconnect in step,
 * while no retry comes sooner than half the nominal delay.
 */
export interface BackoffOptions {
  minMs: number
  maxMs: number
  /** A number in [0, 1); injected so tests are deterministic. */
  random?: () => number
}

export class Backoff {
  private attempt = 0
  private readonly random: () => number

  constructor(private readonly opts: BackoffOptions) {
    this.random = opts.random ?? Math.random
  }

  /** The delay before the next attempt; each call doubles the nominal delay up to the cap. */
  next(): number {
    const nominal = Math.min(this.opts.maxMs, this.opts.minMs * 2 ** Math.min(this.attempt, 30))
    this.attempt++
    return Math.round(nominal / 2 + this.random() * (nominal / 2))
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt
  }

  reset(): void {
    this.attempt = 0
  }
}
