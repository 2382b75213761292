import type { z } from 'zod'
import type { Logger } from '../gateway/log.js'
import type { EventInput } from '../gateway/events/event.js'
import type { Command, CommandResult } from '../gateway/events/command.js'
import type { Kind } from '../gateway/events/types.js'

/** What `emit()` tells the adapter once the journal has committed (or recognised) the event. */
export interface EmitResult {
  id: string
  /** true when the event was already committed (a repeat by id or by dedupe key): nothing new was stored. */
  duplicate: boolean
}

/** Retained device state on `.../state/{device}`: `online` plus what the adapter knows. */
export interface DeviceState {
  online: boolean
  /** Why the device is offline, in words an installer can act on. */
  reason?: string
  [key: string]: unknown
}

/** Everything an adapter gets from the gateway. No globals: this is the whole world it sees. */
export interface AdapterContext {
  log: Logger
  now(): number
  signal: AbortSignal
  /** Resolves once the event is committed in the journal: only then acknowledge the device. */
  emit(event: EventInput): Promise<EmitResult>
  /** Merges into the device's retained state and publishes it. */
  setState(state: Partial<DeviceState>): void
}

/** The outcome an adapter returns; the gateway adds the command id, device and time. */
export interface AdapterCommandResult {
  status: CommandResult['status']
  reason?: string
  data?: Record<string, unknown>
}

/** An adapter's counters by name (pull errors, dropped frames, retries...), for the status API. */
export type AdapterStats = Record<string, number>

export interface Adapter {
  start(): Promise<void>
  stop(): Promise<void>
  command?(cmd: Command): Promise<AdapterCommandResult>
  /** Its counters now; called on every status build, so cheap and without I/O. */
  stats?(): AdapterStats
}

/** An event committed elsewhere in the gateway, as a linked consumer sees it (a subset of GatewayEvent). */
export interface LinkedAlarm {
  id: string
  device: string
  type: string
  priority: number
  zone?: string | undefined
}

/**
 * An adapter that acts on other devices' committed events (linkage: a camera snapshots when an
 * alarm of a device linked to it fires). The gateway offers it every committed event.
 */
export interface LinkableAdapter extends Adapter {
  /** Resolves when what it does is committed (or nothing was to be done); never rejects. */
  onLinkedAlarm(event: LinkedAlarm): Promise<void>
}

export function isLinkable(a: Adapter): a is LinkableAdapter {
  return typeof (a as Partial<LinkableAdapter>).onLinkedAlarm === 'function'
}

/** The common part of every device's configuration. */
export interface DeviceConfigBase {
  id: string
  adapter: string
  name?: string | undefined
  kind: Kind
}

/** What an adapter that watches its devices' committed events (rather than a link) gets from the gateway. */
export interface SupervisionContext {
  log: Logger
  now(): number
  /** Commits an event of one of the supervised devices. */
  emit(device: string, event: EventInput): Promise<EmitResult>
}

/** Supervision of a group of devices by their committed events; the gateway offers it every one. */
export interface DeviceSupervision {
  start(): void
  stop(): void
  committed(event: { device: string; type: string }): void
}

export interface AdapterDefinition<C extends DeviceConfigBase> {
  /** The `adapter:` value in config: 'mqtt-ingest', 'contact-id', 'osdp', 'modbus-rtu', 'onvif'. */
  adapter: string
  configSchema: z.ZodType<C>
  /** null for devices that have no in-process adapter (third-party MQTT producers). */
  create: ((config: C, ctx: AdapterContext) => Adapter) | null
  /** For adapters offering `supervision: 'events'`: watches all of its devices at once. */
  supervise?(configs: readonly C[], ctx: SupervisionContext): DeviceSupervision
}
