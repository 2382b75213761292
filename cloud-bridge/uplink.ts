import type { EventEmitter } from 'node:events'
import type { OutboxRow } from './outbox.js'

export type UplinkState = 'connecting' | 'up' | 'down' | 'stopped'

/**
 * The publish a closed connection is blamed on. An MQTT 3.1.1 broker can refuse a publish only by
 * closing the connection [MQTT-3.3.5-2] (RabbitMQ does), so the refused publish is among those not
 * acknowledged: a status or command result if one is, else the oldest event (a broker handles a
 * connection's packets in order).
 */
export type CloseSuspect = { kind: 'event'; pos: number; topic: string } | { kind: 'status' | 'result'; topic: string }

export interface UplinkEvents {
  up: []
  down: [reason: string, suspect?: CloseSuspect]
  /** A command from the platform for one device. */
  command: [device: string, payload: Buffer]
}

/**
 * One way to the platform. The forwarder drives any uplink through this: `send` resolves when the
 * platform acknowledged the event and rejects with UplinkError otherwise (`refused` when the
 * platform answered no, not when the link failed).
 */
export interface Uplink extends EventEmitter<UplinkEvents> {
  readonly id: string
  readonly state: UplinkState
  /** Events the uplink can have outstanding (MQTT: unacknowledged QoS 1 publishes). */
  readonly window: number
  start(): void
  send(row: OutboxRow): Promise<void>
  publishStatus(status: unknown): void
  publishCommandResult(device: string, payload: Buffer): void
  /** What the link knows beyond the forwarder's figures (paths, receivers, clock offsets), for the status. */
  health?(): UplinkHealth
  stop(): Promise<void>
}

/** An uplink's own view of its link, shown under `link` in the gateway status. */
export type UplinkHealth = Record<string, unknown>
