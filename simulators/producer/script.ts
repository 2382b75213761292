/**
 * The demo's scripted third-party producers: an intercom at the north gate and a fire panel's IP
 * module, publishing on their ingest topics. Deterministic: the same steps in the same order.
 */
export interface ScriptStep {
  device: string
  payload: Record<string, unknown>
}

export const DEMO_SCRIPT: readonly ScriptStep[] = [
  { device: 'intercom-north', payload: { type: 'credential', zone: 'gate-1', attrs: { card: '4567', facility: 123, format: 'H10301' } } },
  { device: 'intercom-north', payload: { type: 'access.granted', zone: 'gate-1', user: 'resident-0312' } },
  { device: 'intercom-north', payload: { type: 'door.open', zone: 'gate-1' } },
  { device: 'intercom-north', payload: { type: 'door.closed', zone: 'gate-1' } },
  { device: 'fire-panel-b3', payload: { type: 'test', zone: '001', attrs: { note: 'periodic test report' } } },
  { device: 'intercom-north', payload: { type: 'access.denied', zone: 'gate-1', attrs: { card: '9001', reason: 'unknown card' } } },
  { device: 'intercom-north', payload: { type: 'door.forced', zone: 'gate-2' } },
  { device: 'intercom-north', payload: { type: 'door.closed', zone: 'gate-2' } },
  { device: 'fire-panel-b3', payload: { type: 'fire', zone: '014', attrs: { zoneName: 'smoke detector, plant room' } } },
  { device: 'fire-panel-b3', payload: { type: 'fire.restore', zone: '014' } },
]
