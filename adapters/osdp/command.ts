import type { Command, CommandStatus } from '../../base/events/command.js'
import * as C from './commands.js'

/**
 * Platform commands on `.../cmd/{device}` -> what to send a reader. Pure.
 *   unlock  {door?, durationMs?}                       pulse the strike (OUT temporary on)
 *   lock    {door?}                                    end a pulse now (OUT permanent off)
 *   led     {door?, color, durationMs?, permanent?}   the reader's LED 0
 *   buzzer  {door?, count?, onMs?, offMs?}            the reader's beeper
 * `door` may be left out when the bus has a single reader.
 */
export type ParsedCommand =
  | { ok: true; action: 'unlock'; door: string; durationMs?: number }
  | { ok: true; action: 'lock'; door: string }
  | { ok: true; action: 'led' | 'buzzer'; door: string; payload: C.CommandPayload }
  | { ok: false; status: CommandStatus; reason: string }

const COLORS = Object.keys(C.COLOR).map((k) => k.toLowerCase())

function int(v: unknown, min: number, max: number): number | undefined | null {
  if (v === undefined) return undefined
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : null
}

export function parseCommand(cmd: Command, doors: string[]): ParsedCommand {
  const p = cmd.params
  const door = typeof p['door'] === 'string' ? p['door'] : doors.length === 1 ? doors[0] : undefined
  if (door === undefined || !doors.includes(door)) {
    return { ok: false, status: 'invalid', reason: `give params.door, one of: ${doors.join(', ')}` }
  }
  switch (cmd.action) {
    case 'unlock': {
      const durationMs = int(p['durationMs'], 100, 6_553_500)
      if (durationMs === null) return { ok: false, status: 'invalid', reason: 'durationMs must be an integer 100..6553500' }
      return durationMs === undefined ? { ok: true, action: 'unlock', door } : { ok: true, action: 'unlock', door, durationMs }
    }
    case 'lock':
      return { ok: true, action: 'lock', door }
    case 'led': {
      const color = typeof p['color'] === 'string' ? p['color'].toLowerCase() : ''
      const durationMs = int(p['durationMs'], 100, 6_553_500)
      if (!COLORS.includes(color)) return { ok: false, status: 'invalid', reason: `color must be one of: ${COLORS.join(', ')}` }
      if (durationMs === null) return { ok: false, status: 'invalid', reason: 'durationMs must be an integer 100..6553500' }
      const c = C.COLOR[color.toUpperCase() as keyof typeof C.COLOR]
      const state = { onColor: c, offColor: C.COLOR.BLACK, on100ms: 10, off100ms: 0 }
      const rec: C.LedRecord =
        p['permanent'] === true
          ? { reader: 0, led: 0, permanent: state }
          : { reader: 0, led: 0, temporary: { ...state, timer100ms: Math.ceil((durationMs ?? 3000) / 100) } }
      return { ok: true, action: 'led', door, payload: C.led([rec]) }
    }
    case 'buzzer': {
      const count = int(p['count'], 0, 255)
      const onMs = int(p['onMs'], 100, 25_500)
      const offMs = int(p['offMs'], 0, 25_500)
      if (count === null || onMs === null || offMs === null) return { ok: false, status: 'invalid', reason: 'count 0..255, onMs 100..25500, offMs 0..25500' }
      return {
        ok: true,
        action: 'buzzer',
        door,
        payload: C.buz({ reader: 0, tone: 2, on100ms: Math.round((onMs ?? 500) / 100), off100ms: Math.round((offMs ?? 500) / 100), count: count ?? 1 }),
      }
    }
    default:
      return { ok: false, status: 'unsupported', reason: `unknown action "${cmd.action}" (unlock, lock, led, buzzer)` }
  }
}
