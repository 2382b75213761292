import { TOPIC_ROOT } from '../events/topics.js'

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

function allowedPublish(site: string, who: Principal): string[] {
  const p = `${TOPIC_ROOT}/${site}`
  if (who.role === 'operator') return [`${p}/cmd/+`]
  if (who.role === 'producer') return [...who.devices].flatMap((d) => [`${p}/ingest/${d}`, `${p}/cmd/${d}/result`])
  return []
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

export function canPublish(site: string, who: Principal, topic: string): boolean {
  return allowedPublish(site, who).some((a) => filterWithin(topic, a))
}

export function canSubscribe(site: string, who: Principal, filter: string): boolean {
  const f = stripShare(filter)
  return f.length > 0 && allowedSubscribe(site, who).some((a) => filterWithin(f, a))
}
