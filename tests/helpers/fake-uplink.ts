import { EventEmitter } from 'node:events'
import type { OutboxRow } from '../../cloud-bridge/outbox.js'
import { UplinkError } from '../../base/errors.js'
import type { CloseSuspect, Uplink, UplinkEvents, UplinkState } from '../../cloud-bridge/uplink.js'

/**
 * An uplink at the interface boundary, for forwarder tests: records what it was given in order,
 * acknowledges each send on the next turn of the event loop while up, and drops or restores the
 * connection on request. What the platform side of a real uplink does is tested against brokers.
 */
export class FakeUplink extends EventEmitter<UplinkEvents> implements Uplink {
  readonly id = 'platform'
  readonly sent: OutboxRow[] = []
  state: UplinkState = 'down'
  /** While true, nothing is acknowledged (a platform that has stopped answering). */
  hold = false
  /** Events (by outbox position) the platform refuses with a reason code, as an MQTT 5 broker does. */
  readonly refuse = new Set<number>()
  private pending: Array<{ row: OutboxRow; resolve(): void; reject(e: Error): void }> = []
  private onSend: Array<() => void> = []

  constructor(readonly window = 64) {
    super()
  }

  start(): void {
    this.up()
  }

  up(): void {
    this.state = 'up'
    this.emit('up')
  }

  /** The connection drops: what was not acknowledged fails, as a closed MQTT client's callbacks do. */
  drop(suspect?: CloseSuspect): void {
    this.state = 'down'
    for (const p of this.pending.splice(0)) p.reject(new Error('connection closed'))
    this.emit('down', 'connection closed', suspect)
  }

  send(row: OutboxRow): Promise<void> {
    if (this.state !== 'up') return Promise.reject(new Error('not connected'))
    this.sent.push(row)
    for (const w of this.onSend.splice(0)) w()
    if (this.refuse.has(row.pos)) return Promise.reject(new UplinkError(`event ${row.id} refused: not authorized`, true))
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject })
      if (!this.hold) setImmediate(() => this.ack(row))
    })
  }

  private ack(row: OutboxRow): void {
    const i = this.pending.findIndex((p) => p.row === row)
    if (i >= 0) this.pending.splice(i, 1)[0]!.resolve()
  }

  /** Stops holding and acknowledges everything outstanding. */
  release(): void {
    this.hold = false
    for (const p of [...this.pending]) setImmediate(() => this.ack(p.row))
  }

  /** The oldest send not acknowledged, as the MQTT uplink reports it with a close. */
  oldestUnacked(): OutboxRow | undefined {
    return this.pending[0]?.row
  }

  /** Resolves once `n` sends have been made in total. */
  async sentCount(n: number): Promise<void> {
    while (this.sent.length < n) await new Promise<void>((r) => this.onSend.push(r))
  }

  publishStatus(): void {}
  publishCommandResult(): void {}
  async stop(): Promise<void> {
    this.state = 'stopped'
  }
}
