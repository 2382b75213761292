import { PinganError } from '../../base/errors.js'
import { normalizeZone, type Point } from './points.js'
import type { StartWalkTest } from './schema.js'

/** Why a walk test request cannot be done: `running` and `not-running` are conflicts (409), `scope` a bad request (400). */
export class WalkTestError extends PinganError {
  constructor(
    readonly reason: 'running' | 'not-running' | 'scope',
    message: string,
  ) {
    super('PINGAN_ERR_WALKTEST', message)
  }
}

/**
 * The points a request puts on test, and the life-safety ones it leaves out. Every device and
 * zone named must exist and have points: a typo is refused, not silently tested as nothing.
 */
export function selectPoints(
  all: readonly Point[],
  req: Pick<StartWalkTest, 'devices' | 'zones' | 'includeLifeSafety'>,
): { points: Point[]; excluded: Point[] } {
  const whole = req.devices === undefined && req.zones === undefined
  const chosen = new Set<Point>(whole ? all : [])
  for (const d of req.devices ?? []) {
    const of = all.filter((p) => p.device === d)
    if (of.length === 0)
      throw new WalkTestError('scope', `device "${d}" has no walk test points (not configured, or nothing on it to test: a space sensor, a zone-less receiver)`)
    for (const p of of) chosen.add(p)
  }
  for (const z of req.zones ?? []) {
    const zone = normalizeZone(z.zone)
    const of = all.filter((p) => p.device === z.device && (p.zone === zone || p.zone === z.zone))
    if (of.length === 0)
      throw new WalkTestError(
        'scope',
        `device "${z.device}" has no zone or door "${z.zone}" in the config (Contact ID: the zone number, e.g. "015"; OSDP: the door id)`,
      )
    for (const p of of) chosen.add(p)
  }
  const list = all.filter((p) => chosen.has(p))
  const points = list.filter((p) => req.includeLifeSafety === true || !p.lifeSafety)
  const excluded = list.filter((p) => !points.includes(p))
  if (points.length === 0) {
    throw new WalkTestError(
      'scope',
      excluded.length > 0
        ? 'every chosen point is a life-safety zone: set includeLifeSafety to test them'
        : 'nothing to test: the config has no zones, readers, doors, locks, cameras or producers',
    )
  }
  return { points, excluded }
}
