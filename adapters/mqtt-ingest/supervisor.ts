import type { EventInput } from '../../base/events/event.js'
import { SYSTEM_TIMERS, type Timers } from '../../base/timers.js'
import { every } from '../timers.js'

export interface SupervisedDevice {
  id: string
  supervisionMs: number
}

/**
 * Supervision of third-party producers (mqtt-ingest devices with `supervisionMs`): a device that
 * sends nothing for longer than its interval goes `device.offline`; its next event brings it back
 * with `device.online`. In-process adapters supervise their own links.
 */
export class IngestSupervisor {
  private readonly lastSeen = new Map<string, number>()
  private readonly offline = new Set<string>()
  private stopTicks: (() => void) | undefined

  constructor(
    private readonly devices: readonly SupervisedDevice[],
    private readonly emit: (device: string, input: EventInput) => Promise<unknown>,
    private readonly now: () => number,
    /** The checks' timers, on the same clock as `now`; the system's by default. */
    private readonly timers?: Timers,
  ) {}

  start(): void {
    const t = this.now()
    for (const d of this.devices) this.lastSeen.set(d.id, t)
    if (this.devices.length === 0) return
    const checkMs = Math.max(250, Math.min(...this.devices.map((d) => d.supervisionMs)) / 4)
    this.stopTicks = every(this.timers ?? { ...SYSTEM_TIMERS, now: this.now }, checkMs, () => this.check())
  }

  /** Called for every committed event of a supervised device. */
  seen(device: string, type: string): void {
    if (!this.lastSeen.has(device) || type === 'device.online' || type === 'device.offline') return
    this.lastSeen.set(device, this.now())
    if (this.offline.delete(device)) void this.emit(device, { type: 'device.online', attrs: { reason: 'events again' } })
  }

  private check(): void {
    const t = this.now()
    for (const d of this.devices) {
      if (this.offline.has(d.id)) continue
      const silentMs = t - (this.lastSeen.get(d.id) ?? t)
      if (silentMs > d.supervisionMs) {
        this.offline.add(d.id)
        void this.emit(d.id, {
          type: 'device.offline',
          attrs: { reason: `no event for ${Math.round(silentMs / 1000)} s (supervisionMs ${d.supervisionMs})`, silentMs },
        })
      }
    }
  }

  stop(): void {
    this.stopTicks?.()
    this.stopTicks = undefined
  }
}
