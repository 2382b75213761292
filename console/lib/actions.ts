/**
 * The test buttons each adapter offers (the same commands as the MQTT command topic):
 * OSDP readers take unlock/LED/buzzer per door (adapters/osdp/command.ts), Modbus parking locks
 * raise/lower/clear-fault (adapters/modbus/profiles.ts), ONVIF cameras snapshot. Producers
 * (mqtt-ingest) answer their own commands; an access producer is offered unlock.
 */
export type Action = 'unlock' | 'lock' | 'led' | 'buzzer' | 'raise' | 'lower' | 'clear-fault' | 'snapshot'

export function actionsFor(adapter: string, kind: string): Action[] {
  if (adapter === 'osdp') return ['unlock', 'led', 'buzzer']
  if (adapter === 'modbus') return ['raise', 'lower', 'clear-fault']
  if (adapter === 'onvif') return ['snapshot']
  if (adapter === 'mqtt-ingest' && kind === 'access') return ['unlock']
  return []
}

/** The params a test button sends: a short green LED, one beep; `door` when the device has several. */
export function paramsFor(action: Action, door: string | undefined): Record<string, unknown> {
  const base: Record<string, unknown> = door ? { door } : {}
  if (action === 'led') return { ...base, color: 'green', durationMs: 2000 }
  if (action === 'buzzer') return { ...base, count: 1, onMs: 300, offMs: 0 }
  return base
}

/** An OSDP bus's doors, from its retained state (`readers` keyed by door). */
export function doorsOf(state: Record<string, unknown>): string[] {
  const r = state['readers']
  return r && typeof r === 'object' ? Object.keys(r) : []
}
