import type { EventInput } from '../../base/events/event.js'
import type { Classified, Notification } from './notification.js'

/**
 * A camera notification as a normalized event input. Pure.
 * `occurredAt` is the camera's UtcTime brought onto our clock with the measured offset, so a camera
 * two hours off still reports when things happened; the camera's own stamp stays in attrs.
 */
export function toEventInput(n: Notification, c: Classified, clockOffsetMs: number, raw: string): EventInput {
  const attrs: Record<string, unknown> = { topic: n.topic, source: n.source, data: n.data }
  if (c.signal === 'other') attrs['topicNamespace'] = n.topicNs
  const input: EventInput = { type: c.type, attrs }
  const camTime = n.utcTime === undefined ? NaN : Date.parse(n.utcTime)
  if (Number.isFinite(camTime)) {
    input.occurredAt = new Date(camTime - clockOffsetMs).toISOString()
    attrs['cameraTime'] = n.utcTime
  }
  if (c.zone !== undefined) input.zone = c.zone
  input.raw = raw.length > 4096 ? raw.slice(0, 4096) : raw
  return input
}
