import type { OutboxRow } from '../../outbox.js'
import type { CloseSuspect, UplinkState } from '../../uplink.js'
import type { MqttUplinkConfig } from '../mqtt-config.js'
import type { UplinkTls } from '../mqtt.js'

/**
 * What the gateway and an uplink's thread say to each other (`threaded-uplink.ts` and `worker.ts`).
 * Both ends are this package at the same version, started together, so the messages are typed, not
 * parsed: nothing outside the process writes to the port.
 */

/** The thread's `workerData`. */
export interface UplinkThreadInit {
  cfg: MqttUplinkConfig
  site: string
  /** Read and checked by the gateway before the thread starts. */
  tls: UplinkTls
  /** The gateway's log level and the uplink logger's bindings: the thread's lines read as the gateway's own. */
  level: string
  bindings: Record<string, unknown>
}

/** To the thread. Rows go in one message per forwarder pump, not one per event. */
export type ToUplinkThread =
  | { t: 'start' }
  /** `tags[i]` names `rows[i]`'s send: a row sent again after a reset is a new send with a new tag. */
  | { t: 'send'; rows: OutboxRow[]; tags: number[] }
  | { t: 'status'; status: unknown }
  | { t: 'result'; device: string; payload: Uint8Array }
  | { t: 'stop' }

/** From the thread. Acknowledgements go in one message per turn of its event loop. */
export type FromUplinkThread =
  | { t: 'state'; state: UplinkState }
  | { t: 'up' }
  | { t: 'down'; reason: string; suspect?: CloseSuspect }
  | { t: 'command'; device: string; payload: Uint8Array }
  | { t: 'acked'; tags: number[] }
  | { t: 'failed'; tag: number; message: string; refused: boolean }
  | { t: 'log'; line: string }
  | { t: 'stopped' }
