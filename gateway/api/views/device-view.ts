import { z } from 'zod'
import type { Adapter, DeviceInfo, LinkStats } from '../../../adapters/types.js'
import type { DeviceConfig } from '../../../config/devices.js'
import type { StateEntry } from '../../device-states.js'
import { LocationSchema } from '../../../base/events/event.js'
import { ZERO_LINK, type LinkRates } from './link-rates.js'
import { supervisionOf } from './supervision.js'

const LinkSchema = z.object({ frames: z.number(), retries: z.number(), crcErrors: z.number(), timeouts: z.number(), droppedBytes: z.number() })

export const DeviceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  adapter: z.string(),
  kind: z.string(),
  location: LocationSchema,
  online: z.boolean(),
  reason: z.string().optional(),
  lastSeenAt: z.string().optional(),
  onTest: z.boolean(),
  /** The retained state as published on `.../state/{device}`. */
  state: z.record(z.string(), z.unknown()),
  info: z.object({
    firmware: z.string().optional(),
    serial: z.string().optional(),
    model: z.string().optional(),
    vendor: z.string().optional(),
    secureChannel: z.boolean().optional(),
    battery: z.union([z.number(), z.string()]).optional(),
    tamper: z.boolean().optional(),
    lockPosition: z.string().optional(),
    occupancy: z.string().optional(),
  }),
  link: LinkSchema.extend({ perMinute: LinkSchema }),
  supervision: z.object({ windowMs: z.number(), lossDetectedAfterSec: z.number() }).nullable(),
  stats: z.record(z.string(), z.number()),
})
export type DeviceView = z.infer<typeof DeviceViewSchema>

/** Where a device's view comes from: its config, its retained state and its adapter, if in process. */
export interface DeviceSources {
  devices: readonly DeviceConfig[]
  siteGrid?: string | undefined
  state(id: string): StateEntry | undefined
  adapter(id: string): Pick<Adapter, 'stats' | 'health'> | undefined
  /** Whether a walk test has the device on test. */
  onTest?(id: string): boolean
  now(): number
}

const INFO_KEYS = ['firmware', 'serial', 'model', 'vendor', 'secureChannel', 'battery', 'tamper', 'lockPosition', 'occupancy'] as const

/** What the retained state says about the device, for adapters without health(). */
function infoFromState(state: Record<string, unknown>): DeviceInfo {
  const out: Record<string, unknown> = {}
  for (const k of INFO_KEYS) if (state[k] !== undefined) out[k] = state[k]
  return DeviceViewSchema.shape.info.safeParse(out).data ?? {}
}

/** Builds the devices' views; link rates come from readings `sampleLinks` takes now and then. */
export class DeviceViews {
  constructor(
    private readonly src: DeviceSources,
    private readonly rates: LinkRates,
  ) {}

  /** Reads every in-process adapter's link counters (called every few seconds). */
  sampleLinks(): void {
    const at = this.src.now()
    for (const d of this.src.devices) {
      const link = this.src.adapter(d.id)?.health?.().link
      if (link) this.rates.sample(d.id, link, at)
    }
  }

  list(): DeviceView[] {
    return this.src.devices.map((d) => this.view(d))
  }

  get(id: string): DeviceView | undefined {
    const d = this.src.devices.find((x) => x.id === id)
    return d ? this.view(d) : undefined
  }

  private view(d: DeviceConfig): DeviceView {
    const adapter = this.src.adapter(d.id)
    const health = adapter?.health?.()
    const { device: _d, kind: _k, name: _n, ...state } = this.src.state(d.id) ?? { device: d.id, kind: d.kind, online: false }
    const link: LinkStats = health?.link ?? ZERO_LINK
    const lastSeenAt = health?.lastSeenAt !== undefined ? new Date(health.lastSeenAt).toISOString() : state.lastSeen
    const v: DeviceView = {
      id: d.id,
      name: d.name ?? d.id,
      adapter: d.adapter,
      kind: d.kind,
      location: { ...(this.src.siteGrid !== undefined ? { grid: this.src.siteGrid } : {}), ...d.location },
      online: state.online,
      onTest: this.src.onTest?.(d.id) ?? false,
      state,
      info: health?.info ?? infoFromState(state),
      link: { ...link, perMinute: this.rates.perMinute(d.id, link, this.src.now()) },
      supervision: supervisionOf(d, health),
      stats: adapter?.stats?.() ?? {},
    }
    if (typeof state.reason === 'string') v.reason = state.reason
    if (lastSeenAt !== undefined) v.lastSeenAt = lastSeenAt
    return v
  }
}
