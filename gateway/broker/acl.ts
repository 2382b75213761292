import { TOPIC_ROOT, type ParsedTopic } from '../../base/events/topics.js'

/**
 * Who may publish and subscribe to what on the local broker. Pure: decided from the user's role,
 * its devices and the topic alone.
 */
export type Role = 'producer' | 'observer' | 'operator'

export interface Principal {
  username: string
  role: Role
  /** For producers: the devices it speaks for. */
  devices: ReadonlySet<string>
}

function readable(site: string): string[] {
  const p = `${TOPIC_ROOT}/${site}`
  return [`${p}/event/#`, `${p}/state/+`, `${p}/gateway/status`, `${p}/cmd/+/result`]
}

function allowedSubscribe(site: string, who: Principal): string[] {
  const p = `${TOPIC_ROOT}/${site}`
  if (who.role === 'producer') return [...who.devices].map((d) => `${p}/cmd/${d}`)
  return readable(site)
}

/** True when every topic that `filter` matches is also matched by `allowed` [MQTT-4.7.1]. */
export function filterWithin(filter: string, allowed: string): boolean {
  const f = filter.split('/')
  const a = allowed.split('/')
  for (let i = 0; i < f.length; i++) {
    const al = a[i]
    const fl = f[i]!
    if (al === undefined) return false
    if (al === '#') return true
    if (fl === '#') return false
    if (al === '+') continue
    if (fl === '+' || fl !== al) return false
  }
  return f.length === a.length
}

/** `$share/{group}/{filter}` subscribes to `filter` [MQTT-4.8.2]. */
function stripShare(filter: string): string {
  if (!filter.startsWith('$share/')) return filter
  const rest = filter.slice('$share/'.length)
  const slash = rest.indexOf('/')
  return slash < 0 ? '' : rest.slice(slash + 1)
}

/**
 * Publishes name concrete topics, so the decision is made on the parsed topic (one split per
 * message, no filter matching): this runs for every event a producer sends.
 */
export function canPublish(site: string, who: Principal, topic: ParsedTopic | undefined): boolean {
  if (topic === undefined || topic.site !== site) return false
  if (who.role === 'operator') return topic.type === 'cmd'
  if (who.role === 'producer') return (topic.type === 'ingest' || topic.type === 'cmd-result') && who.devices.has(topic.device)
  return false
}

export function canSubscribe(site: string, who: Principal, filter: string): boolean {
  const f = stripShare(filter)
  return f.length > 0 && allowedSubscribe(site, who).some((a) => filterWithin(f, a))
}
