import type { z } from 'zod'
import type { Timers } from '../base/timers.js'
import type { Logger } from '../base/log.js'
import type { EventInput } from '../base/events/event.js'
import type { Command, CommandResult } from '../base/events/command.js'
import type { Kind } from '../base/events/types.js'

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
  /**
   * Timers on the same clock as `now()`, for everything the adapter waits for (supervision, door
   * checks, retries); the system's when absent. Tests inject fake ones instead of sleeping.
   */
  timers?: Timers
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

/**
 * What crossed a device's link, cumulative since the adapter started (the API derives per-minute
 * rates from two readings). Every adapter fills the same five, so a console compares a door
 * reader's line with a camera's.
 */
export interface LinkStats {
  /** Valid frames (or replies, or pulled responses) received from the device. */
  frames: number
  /** Requests sent again, or messages the device sent again, because an answer was missing. */
  retries: number
  /** Frames that failed their check (CRC, checksum, a malformed message). */
  crcErrors: number
  /** Requests that got no answer in time, after every retry. */
  timeouts: number
  /** Bytes dropped without a frame (noise, overflows, partial frames). */
  droppedBytes: number
}

/** What the device told us about itself, or what its readings say; only the parts it knows. */
export interface DeviceInfo {
  firmware?: string
  serial?: string
  model?: string
  vendor?: string
  /** OSDP: every reader online talks over the secure channel. */
  secureChannel?: boolean
  /** Battery reading (V) or a word ('low') when the device reports no voltage. */
  battery?: number | string
  tamper?: boolean
  /** Modbus parking lock: 'raised', 'lowered', 'fault'... as its profile names the states. */
  lockPosition?: string
  /** Modbus parking space: 'occupied' or 'vacant'. */
  occupancy?: string
  /** ONVIF: the camera's clock minus ours (ms), from its last GetSystemDateAndTime [ONVIF Core §5.12.1]. */
  clockOffsetMs?: number
}

/** An adapter's view of its device for the status and the API: cheap, no I/O. */
export interface AdapterHealth {
  online: boolean
  /** When the device was last heard from (ms since the epoch, on the gateway's clock). */
  lastSeenAt?: number
  link: LinkStats
  info: DeviceInfo
  /** The window after which silence means offline, where the adapter supervises one. */
  supervision?: { windowMs: number }
}

export interface Adapter {
  start(): Promise<void>
  stop(): Promise<void>
  command?(cmd: Command): Promise<AdapterCommandResult>
  /** Its counters now; called on every status build, so cheap and without I/O. */
  stats?(): AdapterStats
  /** Online state, link statistics and device information now; cheap and without I/O. */
  health?(): AdapterHealth
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
  /** Timers on the same clock as `now()`; the system's when absent. */
  timers?: Timers
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
