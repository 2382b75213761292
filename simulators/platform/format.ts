import type { GatewayEvent } from '../../base/events/event.js'

const LABEL: Record<number, string> = { 1: 'LIFE-SAFETY', 2: 'SECURITY', 3: 'SUPERVISION', 4: 'info' }

/** One line an operator reads: when, whether it is a walk test's, how urgent, what, where. */
export function formatEventLine(ev: GatewayEvent): string {
  const where = [ev.building && `building ${ev.building}`, ev.unit && `unit ${ev.unit}`, ev.area, ev.grid && `grid ${ev.grid}`].filter(Boolean).join(', ')
  const name = typeof ev.attrs['zoneName'] === 'string' ? ` ${ev.attrs['zoneName']}` : ''
  const extra = [ev.zone && `zone ${ev.zone}`, ev.user && `user ${ev.user}`].filter(Boolean).join(' ')
  // A walk test's event is not a live alarm: an operator must see that before anything else.
  return `${ev.receivedAt} ${ev.test ? 'TEST ' : ''}${(LABEL[ev.priority] ?? '').padEnd(11)} ${ev.site}/${ev.device} ${ev.type}${name}${extra ? ` (${extra})` : ''}${where ? ` @ ${where}` : ''} #${ev.seq}`
}
