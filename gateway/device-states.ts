import type { DeviceState } from '../adapters/types.js'
import type { GatewayEvent } from '../base/events/event.js'

const PUBLISH_EVERY_MS = 1000

export interface StateEntry extends DeviceState {
  device: string
  kind: string
  name?: string
  lastSeen?: string
}

/**
 * Each device's retained state. Changes of `online` (and what adapters set) publish at once;
 * `lastSeen` alone at most once a second per device, so a busy device does not double the traffic.
 */
export class DeviceStates {
  private readonly states = new Map<string, StateEntry>()
  private readonly lastPublished = new Map<string, number>()

  constructor(
    private readonly publish: (device: string, state: StateEntry) => void,
    private readonly now: () => number,
  ) {}

  register(device: string, kind: string, name: string | undefined): void {
    const s: StateEntry = { device, kind, online: false, reason: 'not seen yet' }
    if (name !== undefined) s.name = name
    this.states.set(device, s)
  }

  set(device: string, patch: Partial<DeviceState>): void {
    const s = this.states.get(device)
    if (!s) return
    Object.assign(s, patch)
    if (patch.online === true) delete s.reason
    this.flush(device, s)
  }

  /** Called for every committed event. */
  seen(ev: GatewayEvent): void {
    const s = this.states.get(ev.device)
    if (!s) return
    s.lastSeen = ev.receivedAt
    if (ev.type === 'device.offline') {
      s.online = false
      const reason = ev.attrs['reason']
      s.reason = typeof reason === 'string' ? reason : 'offline'
      return this.flush(ev.device, s)
    }
    if (ev.type === 'device.online' || !s.online) {
      const changed = !s.online
      s.online = true
      delete s.reason
      if (changed) return this.flush(ev.device, s)
    }
    if (this.now() - (this.lastPublished.get(ev.device) ?? 0) >= PUBLISH_EVERY_MS) this.flush(ev.device, s)
  }

  private flush(device: string, s: StateEntry): void {
    this.lastPublished.set(device, this.now())
    this.publish(device, s)
  }

  get(device: string): StateEntry | undefined {
    return this.states.get(device)
  }

  all(): StateEntry[] {
    return [...this.states.values()]
  }
}
