/**
 * Exponential backoff with full jitter: the delay before attempt n (0-based) is uniform in
 * [0, min(maxMs, initialMs * 2^n)]. Full jitter spreads a thousand gateways reconnecting after a
 * platform outage instead of bringing them back in waves.
 */
export interface BackoffPolicy {
  initialMs: number
  maxMs: number
}

export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30))
}

export function fullJitterDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(policy, attempt))
}

/** Counts attempts; `reset()` after a success. */
export class Backoff {
  private attempt = 0

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    return fullJitterDelay(this.policy, this.attempt++, this.random)
  }

  reset(): void {
    this.attempt = 0
  }

  get attempts(): number {
    return this.attempt
  }
}
