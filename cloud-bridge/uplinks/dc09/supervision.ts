import type { Dc09UplinkConfig } from './config.js'

/**
 * Link-test intervals that meet an EN 50136-1 reporting category: the longest time a path failure
 * may go unnoticed. SP* are single-path systems (EN 50136-1 reporting-time classes), DP* dual-path
 * (primary, backup); DP3 is 3 min / 30 min. Check the pairs against the edition your approval body
 * applies, and set `linkTestMs` per path where it differs.
 */
const CATEGORY_MS: Record<NonNullable<Dc09UplinkConfig['category']>, [primary: number, backup: number]> = {
  SP1: [32 * 86_400_000, 32 * 86_400_000],
  SP2: [25 * 3_600_000, 25 * 3_600_000],
  SP3: [30 * 60_000, 30 * 60_000],
  SP4: [3 * 60_000, 3 * 60_000],
  SP5: [90_000, 90_000],
  SP6: [20_000, 20_000],
  DP1: [25 * 3_600_000, 25 * 3_600_000],
  DP2: [30 * 60_000, 25 * 3_600_000],
  DP3: [3 * 60_000, 30 * 60_000],
  DP4: [90_000, 3 * 60_000],
}

/** Without a category or a path's own interval: primary 3 min, backup 30 min (DP3). */
const DEFAULT_MS: [number, number] = [3 * 60_000, 30 * 60_000]

/** The link-test interval of path `index` (0 primary, 1 backup). */
export function linkTestMs(cfg: Dc09UplinkConfig, index: number): number {
  const own = cfg.paths[index]?.linkTestMs
  if (own !== undefined) return own
  const pair = cfg.category ? CATEGORY_MS[cfg.category] : DEFAULT_MS
  return pair[index === 0 ? 0 : 1]
}

/** One line per path for `pingan check`: the interval and the category it meets. */
export function supervisionSummary(cfg: Dc09UplinkConfig): string[] {
  return cfg.paths.map((p, i) => {
    const ms = linkTestMs(cfg, i)
    const cat = cfg.category ? ` (${cfg.category} ${i === 0 ? 'primary' : 'backup'})` : ''
    return `uplink ${cfg.id} path ${p.name}: link test every ${ms / 1000} s${cat}, ACK timeout ${cfg.ackTimeoutMs} ms x ${cfg.retries + 1} per receiver`
  })
}
