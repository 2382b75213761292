import { z } from 'zod'

/**
 * The one retry pacing of the gateway (serial transports, cameras, uplinks): exponential from
 * `initialMs`, capped at `maxMs`, with full jitter: the delay before attempt n (0-based) is uniform
 * in [0, min(maxMs, initialMs * 2^n)]. Full jitter spreads a thousand gateways (or a hundred
 * cameras behind one rebooted switch) reconnecting after an outage instead of bringing them back
 * in waves; the cap bounds how long anything waits once the other side is back.
 */
export interface BackoffPolicy {
  initialMs: number
  maxMs: number
}

/** The ceiling of attempt n's delay; also the whole delay where jitter buys nothing (one master on a bus). */
export function backoffCeiling(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(0, attempt), 30))
}

export function fullJitterDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(policy, attempt))
}

/** Counts attempts; `reset()` after a success. `random` in [0, 1) is injected so tests are deterministic. */
export class Backoff {
  private attempt = 0

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call doubles the ceiling up to the cap. */
  next(): number {
    return fullJitterDelay(this.policy, this.attempt++, this.random)
  }

  reset(): void {
    this.attempt = 0
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt
  }
}

/** Bounds of one component's backoff settings, and its defaults. */
export interface BackoffLimits {
  defaults: BackoffPolicy
  initialMs: { min: number; max: number }
  maxMs: { min: number; max: number }
}

/** `backoff: { initialMs, maxMs }`: the one spelling of retry pacing in the config. */
export function backoffSchema(l: BackoffLimits) {
  return z.strictObject({
    /** The ceiling of the first delay; each failed attempt doubles it. */
    initialMs: z.number().int().min(l.initialMs.min).max(l.initialMs.max).default(l.defaults.initialMs),
    /** The cap of the ceiling: the longest wait once the other side is back. */
    maxMs: z.number().int().min(l.maxMs.min).max(l.maxMs.max).default(l.defaults.maxMs),
  })
}

/**
 * `backoff` and the old spelling of one component, read together: `adoptOldBackoff` fills what
 * neither gives from the defaults (a default inside `backoff` would hide an old key beside it).
 */
export function backoffShape<K extends string>(l: BackoffLimits, old: OldBackoffKeys<K>) {
  const initialMs = z.number().int().min(l.initialMs.min).max(l.initialMs.max)
  const maxMs = z.number().int().min(l.maxMs.min).max(l.maxMs.max)
  return {
    backoff: z.strictObject({ initialMs: initialMs.optional(), maxMs: maxMs.optional() }).optional(),
    /** Deprecated spellings, still read; `pingan check` names the key to write instead. */
    [old.initialMs]: initialMs.optional(),
    [old.maxMs]: maxMs.optional(),
  } as { backoff: z.ZodOptional<z.ZodObject<{ initialMs: z.ZodOptional<typeof initialMs>; maxMs: z.ZodOptional<typeof maxMs> }, z.core.$strict>> } & Record<
    K,
    z.ZodOptional<typeof initialMs>
  >
}

/** The old keys of a backoff, still read: each maps to `backoff.initialMs` / `backoff.maxMs`. */
export interface OldBackoffKeys<K extends string> {
  initialMs: K
  maxMs: K
}

/** Where a parsed config object keeps the old keys it was written with (not enumerable: not part of the config). */
const DEPRECATED = Symbol.for('pingan.config.deprecated')

/** An old key a config used, and the key to write instead. */
export interface Deprecation {
  key: string
  use: string
}

/**
 * Moves an old spelling (`reconnectMinMs`, `backoffMinMs`...) into `backoff`, the new spelling
 * winning where both are written, and notes the old keys on the result for `pingan check`.
 */
export function adoptOldBackoff<K extends string, T extends { backoff?: Partial<BackoffPolicy> | undefined } & Partial<Record<K, number | undefined>>>(
  v: T,
  old: OldBackoffKeys<K>,
  defaults: BackoffPolicy,
): Omit<T, K | 'backoff'> & { backoff: BackoffPolicy } {
  const { [old.initialMs]: oldInitial, [old.maxMs]: oldMax, backoff, ...rest } = v
  const out = {
    ...rest,
    backoff: { initialMs: backoff?.initialMs ?? oldInitial ?? defaults.initialMs, maxMs: backoff?.maxMs ?? oldMax ?? defaults.maxMs },
  }
  const used: Deprecation[] = []
  if (oldInitial !== undefined) used.push({ key: old.initialMs, use: 'backoff.initialMs' })
  if (oldMax !== undefined) used.push({ key: old.maxMs, use: 'backoff.maxMs' })
  if (used.length > 0) Object.defineProperty(out, DEPRECATED, { value: used, enumerable: false })
  return out as Omit<T, K | 'backoff'> & { backoff: BackoffPolicy }
}

/** Every old key used anywhere under `value` (a parsed config or part of it), with its path from `at`. */
export function deprecatedKeys(value: unknown, at: string): Array<Deprecation & { path: string }> {
  if (value === null || typeof value !== 'object') return []
  const here = ((value as Record<symbol, Deprecation[] | undefined>)[DEPRECATED] ?? []).map((d) => ({ ...d, path: at === '' ? d.key : `${at}.${d.key}` }))
  const below = Object.entries(value).flatMap(([k, v]) => deprecatedKeys(v, at === '' ? k : `${at}.${k}`))
  return [...here, ...below]
}
