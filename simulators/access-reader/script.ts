import type { SimCardFormat } from './cards.js'
import type { AccessBusModel } from './model.js'

const FORMATS: SimCardFormat[] = ['H10301', 'H10306', 'C1000-35', 'H10304', 'raw']

/** One line typed at `pingan sim access` (or fed by a script): what to do to the readers. */
export function runLine(model: AccessBusModel, line: string, now: number): string {
  const [verb, a, ...rest] = line.trim().split(/\s+/)
  if (!verb) return ''
  const addr = Number(a)
  const need = (ok: boolean, usage: string): void => {
    if (!ok) throw new Error(`usage: ${usage}`)
  }
  switch (verb) {
    case 'swipe': {
      const [format = 'H10301', facility = '0', card = '0'] = rest
      need(FORMATS.includes(format as SimCardFormat), `swipe ADDR ${FORMATS.join('|')} FACILITY CARD`)
      model.swipe(addr, format as SimCardFormat, Number(facility), Number(card))
      return `reader ${addr}: ${format} ${facility}/${card} swiped`
    }
    case 'keys':
      need(rest.length === 1, 'keys ADDR DIGITS (* and # allowed)')
      model.keypad(addr, rest[0]!)
      return `reader ${addr}: keys ${rest[0]}`
    case 'door':
      need(rest[0] === 'open' || rest[0] === 'closed', 'door ADDR open|closed')
      model.setDoor(addr, rest[0] === 'open')
      return `reader ${addr}: door ${rest[0]}`
    case 'tamper':
      model.setTamper(addr, rest[0] !== 'off')
      return `reader ${addr}: tamper ${rest[0] !== 'off' ? 'on' : 'off'}`
    case 'power':
      model.setPowerLost(addr, rest[0] === 'lost')
      return `reader ${addr}: power ${rest[0] === 'lost' ? 'lost' : 'ok'}`
    case 'silence':
      model.silence(addr, now, Number(rest[0] ?? 10_000))
      return `reader ${addr}: silent for ${Number(rest[0] ?? 10_000)} ms`
    case 'busy':
      model.busy(addr, Number(rest[0] ?? 1))
      return `reader ${addr}: BUSY for the next ${Number(rest[0] ?? 1)} command(s)`
    case 'nak':
      model.nak(addr, Number(rest[0] ?? 3))
      return `reader ${addr}: NAK ${Number(rest[0] ?? 3)} to the next command`
    case 'refuse-out':
      need(rest[0] === 'on' || rest[0] === 'off', 'refuse-out ADDR on|off')
      model.refuseOutputs(addr, rest[0] === 'on')
      return `reader ${addr}: ${rest[0] === 'on' ? 'refuses' : 'accepts'} output commands`
    case 'corrupt-mac':
      need(rest[0] === undefined || rest[0] === 'always' || rest[0] === 'off', 'corrupt-mac ADDR [always|off]')
      model.corruptMac(addr, rest[0] === undefined ? undefined : rest[0] === 'always')
      return `reader ${addr}: ${rest[0] === undefined ? 'next secure reply carries' : rest[0] === 'always' ? 'every secure reply carries' : 'no more secure replies carry'} a bad MAC`
    case 'require-secure':
      need(rest[0] === 'on' || rest[0] === 'off', 'require-secure ADDR on|off')
      model.requireSecure(addr, rest[0] === 'on')
      return `reader ${addr}: ${rest[0] === 'on' ? 'talks only inside a secure channel' : 'talks in the clear too'}`
    case 'factory-reset':
      model.factoryReset(addr)
      return `reader ${addr}: reset to factory keys (install mode)`
    case 'restart':
      model.restart(addr)
      return `reader ${addr}: restarted`
    case 'status':
      return [...model.pds.entries()]
        .map(
          ([n, pd]) =>
            `reader ${n}: strike ${model.strikeOn(n, now) ? 'ON' : 'off'}, led ${pd.ledColor(0, now)}, key ${pd.scbk ? 'own' : 'install'}, ${JSON.stringify(pd.counters)}`,
        )
        .join('\n')
    default:
      throw new Error(
        `unknown command "${verb}" (swipe, keys, door, tamper, power, silence, busy, nak, refuse-out, corrupt-mac, require-secure, factory-reset, restart, status)`,
      )
  }
}
