import type { CidQualifier } from './tokens.js'

/**
 * What a normalized event type becomes at an alarm-receiving centre: a Contact ID event code with
 * its qualifier [SIA DC-05 Appendix C] and a SIA two-letter code [SIA DC-03 Appendix B]. A restore
 * keeps the alarm's Contact ID code with qualifier 3 and takes SIA's restore letter pair.
 * `subject: 'user'` puts the event's user number, not its zone, in CCC / the SIA number.
 * Types absent here have no code and are not sent (`pingan check` names devices that send nothing).
 */
export interface CodeMapping {
  cid: number
  qualifier: CidQualifier
  sia: string
  subject?: 'zone' | 'user'
}

type Row = [type: string, cid: number, sia: string, restore?: [type: string, sia: string], subject?: 'user']

/** The one table. Overridable per uplink, per device (see config: `codes`). */
const ROWS: Row[] = [
  // Life safety [DC-05 100-129]
  ['medical', 100, 'MA', ['medical.restore', 'MH']],
  ['fire', 110, 'FA', ['fire.restore', 'FH']],
  ['panic', 120, 'PA', ['panic.restore', 'PH']],
  ['duress', 121, 'HA', ['duress.restore', 'HH'], 'user'],
  ['gas', 151, 'GA', ['gas.restore', 'GH']],
  // Burglary and 24-hour zones [DC-05 130-159]
  ['intrusion', 130, 'BA', ['intrusion.restore', 'BH']],
  ['tamper', 137, 'TA', ['tamper.restore', 'TH']],
  ['alarm.24h', 133, 'BA', ['alarm.24h.restore', 'BH']],
  ['environmental', 150, 'UA', ['environmental.restore', 'UH']],
  ['supervisory', 200, 'SS', ['supervisory.restore', 'SR']],
  // Cameras: video motion and analytics report as burglary zones, a covered lens as a sensor tamper.
  ['motion', 132, 'BA', ['motion.end', 'BH']],
  ['line.crossed', 136, 'BA'],
  ['field.intrusion', 136, 'BA', ['field.intrusion.end', 'BH']],
  ['input', 140, 'UA', ['input.end', 'UH']],
  ['video.tamper', 144, 'TA', ['video.tamper.restore', 'TH']],
  // Troubles and supervision [DC-05 300-389]
  ['trouble', 300, 'YX', ['trouble.restore', 'YZ']],
  ['power.lost', 301, 'AT', ['power.restored', 'AR']],
  ['battery.low', 302, 'YT', ['battery.restored', 'YR']],
  ['lock.fault', 330, 'ET', ['lock.fault.restore', 'ER']],
  ['reader.fault', 330, 'ET', ['reader.fault.restore', 'ER']],
  ['communication.trouble', 350, 'YC', ['communication.restore', 'YK']],
  // A path of this uplink: 351 for the primary (telco 1), 352 for the backup (telco 2); see message.ts.
  ['uplink.path.fault', 351, 'YC', ['uplink.path.restore', 'YK']],
  ['device.offline', 381, 'EM', ['device.online', 'EN']],
  // Access [DC-05 400-429]: forced and held doors, refusals, grants by user.
  ['door.forced', 423, 'DF', ['door.forced.restore', 'DR']],
  ['door.held', 426, 'DN', ['door.held.restore', 'DR']],
  ['access.denied', 421, 'DD', undefined, 'user'],
  ['access.granted', 422, 'DG', undefined, 'user'],
  ['secure-channel.failure', 383, 'TA'],
  // Open/close by user: opening is qualifier 1, closing qualifier 3 [DC-05 401].
  ['disarm', 401, 'OP', ['arm', 'CL'], 'user'],
  ['bypass', 570, 'UB', ['bypass.restore', 'UU']],
  ['alarm.cancel', 406, 'OC', undefined, 'user'],
  // Tests [DC-05 601-602]
  ['test', 602, 'RP'],
  // A walk test on the gateway's devices: 607 "walk test mode", qualifier 1 begins, 3 ends [DC-05 607];
  // SIA test start / test end [DC-03 TS, TE]. Sent whatever the call direction (message.ts: routed).
  ['walktest.started', 607, 'TS', ['walktest.ended', 'TE']],
]

function build(): Map<string, CodeMapping> {
  const m = new Map<string, CodeMapping>()
  for (const [type, cid, sia, restore, subject] of ROWS) {
    m.set(type, { cid, qualifier: 1, sia, ...(subject ? { subject } : {}) })
    if (restore) m.set(restore[0], { cid, qualifier: 3, sia: restore[1], ...(subject ? { subject } : {}) })
  }
  return m
}

export const DEFAULT_CODES: ReadonlyMap<string, CodeMapping> = build()

/** The periodic test report: Contact ID 602, SIA RP. [DC-05 602, DC-03 RP] */
export const PERIODIC_TEST: CodeMapping = { cid: 602, qualifier: 1, sia: 'RP' }
