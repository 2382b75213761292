import type { Command } from '../../base/events/command.js'
import type { EventInput } from '../../base/events/event.js'
import type { AdapterCommandResult, AdapterContext, LinkedAlarm } from '../types.js'
import type { OnvifDeviceConfig } from './config.js'
import type { OnvifCounters } from './counters.js'
import type { Snapshotter } from './snapshotter.js'

export interface CameraShotsOptions {
  cfg: OnvifDeviceConfig
  ctx: AdapterContext
  counters: OnvifCounters
  /** Commits an event of this camera; never rejects. */
  emit(input: EventInput): Promise<void>
  /** false when supervision has the camera offline. */
  online(): boolean | undefined
}

/**
 * What the camera's snapshots serve: its own alarms (a snapshot attached), linkage (another
 * device's alarm makes it take one) and the `snapshot` command. Every capture is counted.
 */
export class CameraShots {
  private snapshots: Snapshotter | undefined
  private stopping = false

  constructor(private readonly o: CameraShotsOptions) {}

  /** Snapshots on, once the store is ready. */
  use(snapshots: Snapshotter): void {
    this.snapshots = snapshots
  }

  stop(): void {
    this.stopping = true
  }

  /** The camera forgot its subscription (a reboot): snapshot URIs may have changed. */
  forget(): void {
    this.snapshots?.forget()
  }

  /** Attaches a snapshot to one of the camera's own alarms, when its type asks for one. */
  async attachTo(input: EventInput): Promise<void> {
    if (!this.snapshots || !this.o.cfg.snapshot.onTypes.includes(input.type)) return
    const shot = await this.take()
    const attrs = (input.attrs ??= {})
    if (shot.ok) attrs['snapshot'] = shot.snapshot
    else {
      attrs['snapshotError'] = shot.error
      this.o.ctx.log.warn({ err: shot.err }, 'snapshot failed')
    }
  }

  /**
   * Called by the gateway for every committed event: when this camera is linked to the event's
   * device (and zone and type), it takes a snapshot and emits a `snapshot` event pointing at the
   * alarm. Never throws.
   */
  async onLinkedAlarm(event: LinkedAlarm): Promise<void> {
    const { cfg, ctx, counters } = this.o
    if (event.device === cfg.id || event.type === 'snapshot' || !this.snapshots || this.stopping) return
    const linked = cfg.linkage.some(
      (l) =>
        l.device === event.device &&
        (l.zones === undefined || (event.zone !== undefined && l.zones.includes(event.zone))) &&
        (l.types === undefined ? event.priority <= 2 : l.types.includes(event.type)),
    )
    if (!linked) return
    counters.linked++
    const shot = await this.take()
    if (!shot.ok) {
      ctx.log.warn({ trigger: event.id, err: shot.err }, 'linked snapshot failed')
      return
    }
    const trigger: Record<string, unknown> = { id: event.id, device: event.device, type: event.type }
    if (event.zone !== undefined) trigger['zone'] = event.zone
    await this.o.emit({ type: 'snapshot', priority: Math.min(4, Math.max(1, event.priority)) as 1 | 2 | 3 | 4, attrs: { snapshot: shot.snapshot, trigger } })
  }

  /**
   * `snapshot`: take one now. The result carries the snapshot reference, and a `snapshot` event
   * records it in the journal for the platform. Other actions are unsupported.
   */
  async command(cmd: Command): Promise<AdapterCommandResult> {
    if (cmd.action !== 'snapshot') return { status: 'unsupported', reason: `a camera takes "snapshot" only, not "${cmd.action}"` }
    if (!this.snapshots) return { status: 'refused', reason: 'snapshots are off for this camera' }
    if (this.o.online() === false) return { status: 'offline', reason: 'camera offline' }
    const shot = await this.take()
    if (!shot.ok) return { status: 'error', reason: shot.error }
    await this.o.emit({ type: 'snapshot', attrs: { snapshot: shot.snapshot, command: cmd.id } })
    return { status: 'ok', data: { snapshot: shot.snapshot } }
  }

  /** One capture, counted either way. */
  private async take(): Promise<Awaited<ReturnType<Snapshotter['take']>>> {
    const shot = await this.snapshots!.take()
    if (shot.ok) this.o.counters.snapshots++
    else this.o.counters.snapshotErrors++
    return shot
  }
}
