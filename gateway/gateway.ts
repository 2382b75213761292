import type { EmitResult } from '../adapters/types.js'
import type { Faults } from '../base/faults.js'
import type { EventInput } from '../base/events/event.js'
import type { Logger } from '../base/log.js'
import type { Timers } from '../base/timers.js'
import type { GatewayConfig } from '../config/schema.js'
import type { Journal } from './journal/journal.js'
import type { GatewayStatus } from './status.js'

export interface GatewayOptions {
  log?: Logger
  now?: () => number
  /** Fault points for the fault-injection suite; the CLI passes `faultsFromEnv(process.env)`. */
  faults?: Faults
  /** The walk tests' time limit and uplink waits (tests end a walk test at its limit without waiting for it). */
  walktestTimers?: Timers
}

/** A running gateway, as `startGateway` returns it. */
export interface Gateway {
  readonly config: GatewayConfig
  readonly brokerPort: number
  readonly apiPort: number
  readonly journal: Journal
  status(): Promise<GatewayStatus>
  /** Emits an event as the given configured device would, through the same path as its adapter. */
  emitAs(device: string, input: EventInput): Promise<EmitResult>
  stop(): Promise<void>
}
