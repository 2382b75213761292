/** Counted, never silently dropped; read by the status (`stats()`) and the health API. */
export interface OnvifCounters {
  events: number
  states: number
  badMessages: number
  pullErrors: number
  resubscribes: number
  renews: number
  snapshots: number
  snapshotErrors: number
  linked: number
  emitErrors: number
  /** Pull responses received (the camera's frames, as the health API counts them). */
  pulls: number
  /** Requests that got no answer (timeout, refused or reset connection). */
  timeouts: number
}

export function newOnvifCounters(): OnvifCounters {
  return {
    events: 0,
    states: 0,
    badMessages: 0,
    pullErrors: 0,
    resubscribes: 0,
    renews: 0,
    snapshots: 0,
    snapshotErrors: 0,
    linked: 0,
    emitErrors: 0,
    pulls: 0,
    timeouts: 0,
  }
}
