/**
 * The two event tokens inside the data block. [SIA DC-09, ADM-CID and SIA-DCS]
 * - ADM-CID: `#acct|QEEE GG CCC`, Contact ID's qualifier, event, group (partition), zone or user. [SIA DC-05]
 * - SIA-DCS: `#acct|Nri<area>/<code><zone>`, SIA DC-03's new-event block with area and a two-letter code. [SIA DC-03]
 */

/** Contact ID qualifier: 1 new event or opening, 3 restore or closing, 6 previously reported (status). [SIA DC-05] */
export type CidQualifier = 1 | 3 | 6

export interface CidEvent {
  qualifier: CidQualifier
  /** Three decimal digits, e.g. 130. */
  code: number
  /** Group (partition), 0-99. */
  group: number
  /** Zone or user, 0-999. */
  zone: number
}

export interface SiaEvent {
  /** Two capital letters, e.g. BA. */
  code: string
  /** Area (partition); omitted from the block when undefined. */
  area?: number
  /** Zone or user; 0-9999. */
  zone: number
}

const d = (n: number, w: number) => String(n).padStart(w, '0')

function checkRange(name: string, n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${name} ${n} outside 0-${max}`)
}

export function admCidData(account: string, e: CidEvent): string {
  checkRange('Contact ID code', e.code, 999)
  checkRange('group', e.group, 99)
  checkRange('zone', e.zone, 999)
  return `#${account}|${e.qualifier}${d(e.code, 3)} ${d(e.group, 2)} ${d(e.zone, 3)}`
}

export function siaDcsData(account: string, e: SiaEvent): string {
  if (!/^[A-Z]{2}$/.test(e.code)) throw new RangeError(`SIA code "${e.code}": two capital letters`)
  checkRange('zone', e.zone, 9999)
  if (e.area !== undefined) checkRange('area', e.area, 999)
  return `#${account}|N${e.area !== undefined ? `ri${e.area}/` : ''}${e.code}${d(e.zone, 3)}`
}

const CID_RE = /^#([0-9A-F]{3,16})\|([136])(\d{3}) (\d{2}) (\d{3})$/
const SIA_RE = /^#([0-9A-F]{3,16})\|N(?:ri(\d{1,3})\/)?([A-Z]{2})(\d{3,4})$/

export function parseAdmCid(data: string): { account: string; event: CidEvent } | undefined {
  const m = CID_RE.exec(data)
  if (!m) return undefined
  return { account: m[1]!, event: { qualifier: Number(m[2]) as CidQualifier, code: Number(m[3]), group: Number(m[4]), zone: Number(m[5]) } }
}

export function parseSiaDcs(data: string): { account: string; event: SiaEvent } | undefined {
  const m = SIA_RE.exec(data)
  if (!m) return undefined
  const event: SiaEvent = { code: m[3]!, zone: Number(m[4]) }
  if (m[2] !== undefined) event.area = Number(m[2])
  return { account: m[1]!, event }
}
