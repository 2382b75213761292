import type { DeviceInfo } from '../types.js'
import type { Profile } from './profile.js'

/** Which of a profile's points say the lock's position, the space's occupancy and the battery. */
export interface InfoPoints {
  lockPosition?: string
  occupancy?: string
  battery?: string
}

/**
 * Found by what a point raises, not by its name, so an installer's inline profile is understood
 * too: a point whose states raise `lock.*` is the lock's position, `parking.*` the occupancy; the
 * battery is the point whose low threshold raises `battery.low`.
 */
export function infoPoints(profile: Profile): InfoPoints {
  const out: InfoPoints = {}
  for (const [name, p] of Object.entries(profile.points)) {
    const events = Object.values(p.states ?? {}).map((s) => s.event ?? '')
    if (out.lockPosition === undefined && events.some((e) => e.startsWith('lock.'))) out.lockPosition = name
    if (out.occupancy === undefined && events.some((e) => e.startsWith('parking.'))) out.occupancy = name
    if (out.battery === undefined && p.low?.event === 'battery.low') out.battery = name
  }
  return out
}

/** The unit's info from its current readings (label or scaled value). */
export function unitInfo(points: InfoPoints, reading: (point: string) => string | number | undefined): DeviceInfo {
  const info: DeviceInfo = {}
  const label = (p: string | undefined): string | undefined => {
    const r = p === undefined ? undefined : reading(p)
    return r === undefined ? undefined : String(r)
  }
  const lock = label(points.lockPosition)
  if (lock !== undefined) info.lockPosition = lock
  const occupancy = label(points.occupancy)
  if (occupancy !== undefined) info.occupancy = occupancy
  const battery = points.battery === undefined ? undefined : reading(points.battery)
  if (battery !== undefined) info.battery = battery
  return info
}
