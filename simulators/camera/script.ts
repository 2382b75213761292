import { seededRandom } from '../parking-lock/rng.js'
import type { CameraSim } from './wire.js'

/**
 * Scripted scenes for the simulated cameras: one text command drives them (from the CLI's stdin),
 * and a seeded "street life" generator moves them on its own for demos.
 */
export const SCRIPT_HELP = `commands (ID is a camera id or "all"):
  motion ID on|off    tamper ID on|off    input ID on|off    field ID on|off
  line ID [OBJECT]    reboot ID [DOWN-MS] silence ID on|off  power ID on|off  list`

/** Runs one command line; returns what to print. */
export function runCommand(cams: readonly CameraSim[], line: string): string {
  const [verb, id, arg] = line.trim().split(/\s+/)
  if (!verb) return ''
  if (verb === 'list') return cams.map((c) => `${c.id}\t${c.deviceUrl}\tsubscriptions=${c.model.subscriptions.size}`).join('\n')
  const targets = id === 'all' ? cams : cams.filter((c) => c.id === id)
  if (targets.length === 0) return `no camera "${id ?? ''}"\n${SCRIPT_HELP}`
  const on = arg !== 'off'
  for (const c of targets) {
    switch (verb) {
      case 'motion':
        c.motion(on)
        break
      case 'tamper':
        c.set('tamper', on)
        break
      case 'input':
        c.set('input', on)
        break
      case 'field':
        c.set('field', on)
        break
      case 'line':
        c.lineCrossed(Number(arg) || 1)
        break
      case 'reboot':
        c.reboot({ downMs: Number(arg ?? 2000) || 0 })
        break
      case 'silence':
        c.silence(on)
        break
      // Off: the port refuses connections; on: it boots on the same port with no subscriptions.
      case 'power':
        void (on ? c.powerOn() : c.powerOff()).catch((err: unknown) => console.error(`power ${c.id} ${arg ?? 'on'}:`, err))
        break
      default:
        return SCRIPT_HELP
    }
  }
  return `${verb} ${targets.map((c) => c.id).join(',')}${arg ? ` ${arg}` : ''}`
}

/**
 * Random motion (lasting 2-8 s) and line crossings, about one scene per camera every `meanMs`.
 * Returns a stop function.
 */
export function streetLife(cams: readonly CameraSim[], meanMs: number, seed: number): () => void {
  const rng = seededRandom(seed)
  const timers = new Set<NodeJS.Timeout>()
  const later = (ms: number, f: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t)
      f()
    }, ms)
    t.unref()
    timers.add(t)
  }
  const scene = (cam: CameraSim): void => {
    if (rng() < 0.2) cam.lineCrossed(Math.floor(rng() * 1000))
    else {
      cam.motion(true)
      later(2000 + rng() * 6000, () => cam.motion(false))
    }
    later(meanMs * (0.5 + rng()), () => scene(cam))
  }
  for (const cam of cams) later(meanMs * rng(), () => scene(cam))
  return () => {
    for (const t of timers) clearTimeout(t)
    timers.clear()
  }
}
