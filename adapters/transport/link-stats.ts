import type { LinkStats } from '../types.js'

/** A zeroed `LinkStats`, for an adapter (or a bus, per unit) to fill as frames come and go. */
export function newLinkStats(): LinkStats {
  return { frames: 0, retries: 0, crcErrors: 0, timeouts: 0, droppedBytes: 0 }
}

/** The sum of several links' statistics (an OSDP bus reports its readers' links as one). */
export function sumLinkStats(all: readonly LinkStats[]): LinkStats {
  const out = newLinkStats()
  for (const s of all) {
    out.frames += s.frames
    out.retries += s.retries
    out.crcErrors += s.crcErrors
    out.timeouts += s.timeouts
    out.droppedBytes += s.droppedBytes
  }
  return out
}
