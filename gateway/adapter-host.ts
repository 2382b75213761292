import type { DeviceConfig } from '../config/devices.js'
import { adapterEntry } from '../adapters/registry.js'
import {
  isLinkable,
  type Adapter,
  type AdapterContext,
  type DeviceState,
  type DeviceSupervision,
  type EmitResult,
  type LinkableAdapter,
} from '../adapters/types.js'
import type { Logger } from '../base/log.js'
import type { EventInput, GatewayEvent } from '../base/events/event.js'
import type { CommandTarget } from './commands/router.js'

export interface AdapterHostOptions {
  devices: readonly DeviceConfig[]
  log: Logger
  now(): number
  emit(device: string, input: EventInput): Promise<EmitResult>
  setState(device: string, patch: Partial<DeviceState>): void
}

/**
 * The in-process adapters: one per configured device whose adapter has one, created from the
 * registry with the context it sees the gateway through, started and stopped together.
 */
export class AdapterHost {
  /** The running adapters by device id. */
  readonly adapters = new Map<string, Adapter>()
  /** Every device's command target; devices without an in-process adapter answer through the broker. */
  readonly targets = new Map<string, CommandTarget>()
  private readonly linkable: LinkableAdapter[] = []
  /** Adapters that supervise their devices by their committed events (third-party producers). */
  private readonly supervisions: DeviceSupervision[] = []
  private readonly abort = new AbortController()

  private constructor(private readonly log: Logger) {}

  static async create(o: AdapterHostOptions): Promise<AdapterHost> {
    const host = new AdapterHost(o.log)
    const supervised = new Map<string, DeviceConfig[]>()
    for (const d of o.devices) {
      const entry = adapterEntry(d.adapter)
      const def = await entry.load()
      if (entry.offers.supervision === 'events') supervised.set(d.adapter, [...(supervised.get(d.adapter) ?? []), d])
      if (def.create === null) {
        host.targets.set(d.id, { command: undefined, inProcess: false })
        continue
      }
      const ctx: AdapterContext = {
        log: o.log.child({ component: 'adapter', adapter: d.adapter, device: d.id }),
        now: o.now,
        signal: host.abort.signal,
        emit: (input) => o.emit(d.id, input),
        setState: (patch) => o.setState(d.id, patch),
      }
      const adapter = def.create(d, ctx)
      host.adapters.set(d.id, adapter)
      if (entry.offers.linkage && isLinkable(adapter)) host.linkable.push(adapter)
      host.targets.set(d.id, { command: adapter.command?.bind(adapter), inProcess: entry.offers.commands === 'in-process' })
    }
    for (const [adapter, configs] of supervised) {
      const def = await adapterEntry(adapter).load()
      const supervision = def.supervise?.(configs, { log: o.log.child({ component: 'adapter', adapter }), now: o.now, emit: o.emit })
      if (supervision) host.supervisions.push(supervision)
    }
    return host
  }

  /** Offers a committed event to the adapters that act on it (linkage, supervision by events). */
  committed(event: GatewayEvent): void {
    for (const l of this.linkable) void l.onLinkedAlarm(event)
    for (const s of this.supervisions) s.committed(event)
  }

  /** Starts supervising by events at once: a producer is timed from the gateway's start, not its adapters'. */
  startSupervision(): void {
    for (const s of this.supervisions) s.start()
  }

  start(): void {
    for (const [id, a] of this.adapters) {
      a.start().catch((err) => this.log.error({ device: id, err }, 'adapter failed to start'))
    }
  }

  async stop(): Promise<void> {
    for (const s of this.supervisions) s.stop()
    this.abort.abort()
    await Promise.allSettled([...this.adapters.values()].map((a) => a.stop()))
  }
}
