import type { Logger } from '../../base/log.js'
import { sumLinkStats } from '../transport/link-stats.js'
import type { AdapterHealth, DeviceInfo } from '../types.js'
import type { OsdpBus } from './bus.js'
import type { OsdpFramer, OsdpFramerCounters } from './framer.js'
import type { Reader } from './reader-events.js'

/** How often the line's counters are published in device state (when they changed). */
export const LINE_STATE_MS = 5000
/** At most one warning per this interval about bad bytes on the line. */
const LINE_WARN_MS = 10_000

/**
 * The bus line as the site sees it: its counters in the device state (when they changed), a
 * warning about bad bytes at most once per interval, and the bus's `health()`.
 */
export class LineWatch {
  private lastLineWarn = 0
  private warned: OsdpFramerCounters | undefined
  private lastLineState = ''

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly setState: (s: Record<string, unknown>) => void,
  ) {}

  /** Every drop on the line, visible in device state (and so in the health API). */
  publish(framer: OsdpFramer, bus: OsdpBus, emitErrors: number): void {
    const line = { ...framer.counters, ...bus.counters, emitErrors }
    const key = JSON.stringify(line)
    if (key === this.lastLineState) return
    this.lastLineState = key
    this.setState({ line })
  }

  /** Bad bytes on the line: counted always, warned about at most once per interval. */
  warn(framer: OsdpFramer): void {
    const c = framer.counters
    const w = this.warned
    if (w && c.badFrames === w.badFrames && c.droppedRuns === w.droppedRuns) return
    if (!w && c.badFrames === 0 && c.droppedRuns === 0) return
    const now = this.now()
    if (now - this.lastLineWarn < LINE_WARN_MS) return
    this.lastLineWarn = now
    this.warned = { ...c }
    this.log.warn({ ...c, last: framer.lastError }, 'bad bytes on the OSDP line')
  }
}

/**
 * The bus as one device: online while any reader answers; the line's frames, bad CRCs and
 * dropped bytes with the readers' retries and timeouts; the identity (osdp_PDID) of the first
 * reader that reported one, and whether every reader online uses the secure channel.
 */
export function busHealth(readers: readonly Reader[], framer: OsdpFramer | undefined, offlineAfterMs: number): AdapterHealth {
  const online = readers.filter((r) => r.state['online'] === true)
  const heard = readers.map((r) => r.link.heardAt).filter((t): t is number => t !== undefined)
  const f = framer?.counters
  const link = sumLinkStats(
    readers.map((r) => ({ frames: 0, retries: r.link.counters.retries, crcErrors: 0, timeouts: r.link.counters.timeouts, droppedBytes: 0 })),
  )
  link.frames = f?.frames ?? 0
  link.crcErrors = f?.badFrames ?? 0
  link.droppedBytes = f?.droppedBytes ?? 0
  return {
    online: online.length > 0,
    ...(heard.length > 0 ? { lastSeenAt: Math.max(...heard) } : {}),
    link,
    info: readerInfo(
      readers.map((r) => r.state),
      online.length > 0 ? online.every((r) => r.state['secure'] === true) : undefined,
    ),
    supervision: { windowMs: offlineAfterMs },
  }
}

/** The identity of the first reader that reported one (osdp_PDID), and tamper if any reader reports it. */
function readerInfo(states: ReadonlyArray<Record<string, unknown>>, secureChannel: boolean | undefined): DeviceInfo {
  const info: DeviceInfo = {}
  const id = states.find((s) => s['serial'] !== undefined || s['firmware'] !== undefined)
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined)
  const put = <K extends 'firmware' | 'serial' | 'model' | 'vendor'>(k: K, v: string | undefined): void => {
    if (v !== undefined) info[k] = v
  }
  put('firmware', str(id?.['firmware']))
  put('serial', str(id?.['serial']))
  put('model', str(id?.['model']))
  put('vendor', str(id?.['vendor']))
  if (secureChannel !== undefined) info.secureChannel = secureChannel
  if (states.some((s) => typeof s['tamper'] === 'boolean')) info.tamper = states.some((s) => s['tamper'] === true)
  return info
}
