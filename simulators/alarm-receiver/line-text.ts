/**
 * The receiver's automation-port text as it goes on the line: events in the receiver's own
 * format or the panel's 16-digit line, the heartbeat, and the damaged copies a line hit makes.
 * Pure: randomness comes in as an argument.
 *
 * Written here, not taken from the gateway's codec, so a codec bug cannot hide behind the same
 * bug in the simulator; the test vectors pin both.
 */

export type Qualifier = 'E' | 'R' | 'P'

/** One Contact ID event as a panel reports it. */
export interface SimEvent {
  account: string
  qualifier: Qualifier
  code: string
  group: string
  zone: string
}

/** `receiver`: `5RRL 18AAAAQXYZGGCCC`; `panel`: the panel's 16-digit line with its checksum. */
export type TextFormat = 'receiver' | 'panel'

/** Ends every message. */
export const DC4 = 0x14
const QUALIFIER_DIGIT: Record<Qualifier, string> = { E: '1', R: '3', P: '6' }

/** The text an event goes out as (without DC4). */
export function eventText(e: SimEvent, format: TextFormat, receiver: string, line: string): string {
  if (format === 'panel') {
    const body = `${e.account}18${QUALIFIER_DIGIT[e.qualifier]}${e.code}${e.group}${e.zone}`
    return body + checksum(body)
  }
  return `5${receiver}${line} 18${e.account}${e.qualifier}${e.code}${e.group}${e.zone}`
}

/** `1RRL`, 11 spaces, `@`, 4 spaces. [MLR2E manual §9.2] */
export function heartbeatText(receiver: string, line: string): string {
  return `1${receiver}${line}${' '.repeat(11)}@${' '.repeat(4)}`
}

/** A copy that must be refused: a wrong checksum digit, or an impossible qualifier letter. */
export function garble(text: string, format: TextFormat): string {
  if (format === 'panel') {
    const last = parseInt(text.at(-1)!, 16)
    return text.slice(0, -1) + ((last % 15) + 1).toString(16).toUpperCase()
  }
  return text.replace(/ 18(....)[ERP]/, ' 18$1X')
}

/** 1-8 random bytes, never DC4: noise that ends a "message" would draw a NAK nobody asked for. */
export function noise(random: () => number): Buffer {
  const n = 1 + Math.floor(random() * 8)
  return Buffer.from(
    Array.from({ length: n }, () => {
      const b = Math.floor(random() * 255)
      return b >= DC4 ? b + 1 : b
    }),
  )
}

export function frame(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from([DC4])])
}

/** [DC-05] checksum: digit 0 weighs 10; the total is a multiple of 15; 0 is sent as F. */
function checksum(body: string): string {
  const sum = [...body].reduce((n, c) => n + (parseInt(c, 16) || 10), 0)
  return ((15 - (sum % 15)) % 15 || 15).toString(16).toUpperCase()
}
