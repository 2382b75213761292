import type { Adapter } from '../types.js'

/**
 * Linkage: an alarm from another device (an intrusion zone, a forced door) makes the cameras
 * linked to it in config take a snapshot. The gateway offers every committed event to every
 * linkable adapter; each camera decides from its own `linkage` config. No heavy imports here: the
 * composition root uses this without loading the SOAP stack.
 */

/** An alarm committed elsewhere in the gateway, as linkage sees it (a subset of GatewayEvent). */
export interface LinkedAlarm {
  id: string
  device: string
  type: string
  priority: number
  zone?: string | undefined
}

/** An adapter that takes snapshots when alarms of other devices fire. */
export interface LinkableAdapter extends Adapter {
  /** Resolves when the snapshot event is committed (or nothing was to be done); never rejects. */
  onLinkedAlarm(event: LinkedAlarm): Promise<void>
}

export function isLinkable(a: Adapter): a is LinkableAdapter {
  return typeof (a as Partial<LinkableAdapter>).onLinkedAlarm === 'function'
}
