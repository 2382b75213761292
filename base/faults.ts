/**
 * Named fault points for the fault-injection suite (tests/chaos). Compiled in, inert unless set:
 * the gateway reads `PINGAN_FAULT` once at start, and without it every point is a no-op call.
 *
 * `PINGAN_FAULT=<point>:<action>:<n>` acts on the n-th time (1-based) the point is reached:
 * - `kill`: SIGKILL the process there (nothing after the point runs, as in a power-less crash of
 *   the process; the page cache survives);
 * - `fail`: throw an I/O error there (as SQLite's `SQLITE_IOERR`), once.
 */
export const FAULT_POINTS = [
  /** Inside the journal's transaction: rows inserted, COMMIT not yet issued. */
  'journal.commit',
  /** In the forwarder: the uplink acknowledged an event, its delivery not yet recorded in the journal. */
  'forwarder.acked',
] as const

export type FaultPoint = (typeof FAULT_POINTS)[number]

/** A fault point reached: may throw or end the process; does nothing unless a fault is set. */
export interface Faults {
  reach(point: FaultPoint): void
}

export const NO_FAULTS: Faults = { reach: () => undefined }

export interface FaultSpec {
  point: FaultPoint
  action: 'kill' | 'fail'
  at: number
}

/** Parses `point:action:n`; a clear error naming what to fix otherwise. */
export function parseFault(text: string): FaultSpec {
  const [point, action, n] = text.split(':')
  if (!FAULT_POINTS.includes(point as FaultPoint)) throw new Error(`PINGAN_FAULT: unknown point "${point}"; use one of ${FAULT_POINTS.join(', ')}`)
  if (action !== 'kill' && action !== 'fail') throw new Error(`PINGAN_FAULT: unknown action "${action}"; use kill or fail`)
  const at = Number(n ?? 1)
  if (!Number.isInteger(at) || at < 1) throw new Error(`PINGAN_FAULT: "${n}" is not a count from 1`)
  return { point: point as FaultPoint, action, at }
}

/** The fault an environment asks for, or none. */
export function faultsFromEnv(env: NodeJS.ProcessEnv): Faults {
  const text = env['PINGAN_FAULT']
  return text ? faultAt(parseFault(text), () => process.kill(process.pid, 'SIGKILL')) : NO_FAULTS
}

/** Acts once, when `spec.point` is reached for the `spec.at`-th time. */
export function faultAt(spec: FaultSpec, kill: () => void): Faults {
  let hits = 0
  return {
    reach(point) {
      if (point !== spec.point || ++hits !== spec.at) return
      if (spec.action === 'kill') kill()
      else throw Object.assign(new Error(`injected fault at ${point} (PINGAN_FAULT)`), { code: 'SQLITE_IOERR', errno: 10 })
    },
  }
}
