import type { SimEvent } from './line-text.js'

/** What a compound's panels send, weighted: mostly tests, open/close, troubles; some alarms. */
const RANDOM_CODES: Array<[code: string, weight: number, restores: boolean]> = [
  ['131', 3, true],
  ['132', 2, true],
  ['137', 1, true],
  ['110', 1, true],
  ['120', 1, false],
  ['301', 2, true],
  ['302', 2, true],
  ['401', 4, true],
  ['570', 1, true],
  ['602', 3, false],
  ['383', 1, true],
  ['351', 1, true],
]

/** Where random traffic comes from: its accounts and zones. */
export interface RandomTraffic {
  accounts?: string[]
  zones?: string[]
}

/** One random panel report: an event, often with its restore. */
export function randomEvent(random: () => number, r: RandomTraffic): SimEvent[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!
  const total = RANDOM_CODES.reduce((n, c) => n + c[1], 0)
  let x = random() * total
  const [code, , restores] = RANDOM_CODES.find((c) => (x -= c[1]) < 0) ?? RANDOM_CODES[0]!
  const account = pick(r.accounts ?? ['1234'])
  const zone =
    code === '401' ? pick(['001', '002', '003']) : code === '602' || code === '301' || code === '302' ? '000' : pick(r.zones ?? ['001', '002', '015'])
  const e: SimEvent = { account, qualifier: 'E', code, group: '01', zone }
  // An alarm and its restore arrive together (a beam broken and cleared between two messages).
  return restores && random() < 0.7 ? [e, { ...e, qualifier: 'R' }] : [e]
}
