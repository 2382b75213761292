import { statfs } from 'node:fs/promises'
import { z } from 'zod'
import { dirname } from 'node:path'
import type { Forwarder } from '../../../cloud-bridge/forwarder.js'
import type { Uplink } from '../../../cloud-bridge/uplink.js'
import type { Journal } from '../../journal/journal.js'

export const UplinksViewSchema = z.object({
  uplinks: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      state: z.string(),
      backlog: z.number(),
      /** null when nothing waits (or the outbox could not be read: see outboxError). */
      oldestUndeliveredSec: z.number().nullable(),
      lastAckAt: z.string().nullable(),
      deliveryRatePerMin: z.number(),
      parked: z.number().nullable(),
      outboxError: z.string().nullable(),
      /** What the uplink itself knows (DC-09: the active path and each receiver). */
      link: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  journal: z.looseObject({ rows: z.number(), bytes: z.number(), maxRows: z.number(), maxBytes: z.number() }),
  disk: z.object({ freeBytes: z.number().nullable() }),
})
export type UplinksView = z.infer<typeof UplinksViewSchema>

export interface UplinkSources {
  uplinks: readonly Uplink[]
  forwarders: readonly Forwarder[]
  /** Each uplink's `type:` in the config, in the same order. */
  types: readonly string[]
  journal: Journal
  journalPath: string
  maxRows: number
}

async function freeBytes(path: string): Promise<number | null> {
  if (path === ':memory:') return null
  try {
    const s = await statfs(dirname(path))
    return s.bavail * s.bsize
  } catch {
    return null // the figure is missing, not zero: a console must not read "disk full" off a failed statfs
  }
}

/** GET /uplinks from the forwarders' status, the journal's counters and the disk. */
export async function uplinksView(s: UplinkSources): Promise<UplinksView> {
  const uplinks = await Promise.all(
    s.uplinks.map(async (u, i) => {
      const st = await s.forwarders[i]!.status()
      const link = u.health?.()
      return {
        id: u.id,
        type: s.types[i] ?? 'unknown',
        state: st.state,
        backlog: st.backlog,
        oldestUndeliveredSec: st.oldestUndeliveredAgeMs === null ? null : Math.round(st.oldestUndeliveredAgeMs / 1000),
        lastAckAt: st.lastAckAt === null ? null : new Date(st.lastAckAt).toISOString(),
        deliveryRatePerMin: Math.round(st.deliveryRatePerSec * 60 * 10) / 10,
        parked: st.parked,
        outboxError: st.outboxError,
        ...(link !== undefined ? { link } : {}),
      }
    }),
  )
  return { uplinks, journal: { ...s.journal.stats(), maxRows: s.maxRows }, disk: { freeBytes: await freeBytes(s.journalPath) } }
}
