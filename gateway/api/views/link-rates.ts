import type { LinkStats } from '../../../adapters/types.js'

export const LINK_FIELDS = ['frames', 'retries', 'crcErrors', 'timeouts', 'droppedBytes'] as const
export const ZERO_LINK: LinkStats = { frames: 0, retries: 0, crcErrors: 0, timeouts: 0, droppedBytes: 0 }

const MINUTE_MS = 60_000

interface Sample {
  at: number
  link: LinkStats
}

/**
 * Per-minute link figures from cumulative counters read now and then: the rate over the last
 * minute (from the newest reading at least a minute old, or the oldest there is). A counter that
 * went back (its adapter restarted) counts from zero.
 */
export class LinkRates {
  private readonly samples = new Map<string, Sample[]>()

  /** Records a reading; keeps what covers the last minute plus the one just before it. */
  sample(device: string, link: LinkStats, at: number): void {
    const list = this.samples.get(device) ?? []
    list.push({ at, link: { ...link } })
    while (list.length > 2 && at - list[1]!.at >= MINUTE_MS) list.shift()
    this.samples.set(device, list)
  }

  perMinute(device: string, now: LinkStats, at: number): LinkStats {
    const list = this.samples.get(device) ?? []
    const base = [...list].reverse().find((s) => at - s.at >= MINUTE_MS) ?? list[0]
    if (!base || at - base.at < 1000) return { ...ZERO_LINK }
    const out = { ...ZERO_LINK }
    for (const k of LINK_FIELDS) {
      const d = now[k] - base.link[k]
      out[k] = Math.round((((d >= 0 ? d : now[k]) * MINUTE_MS) / (at - base.at)) * 10) / 10
    }
    return out
  }
}
