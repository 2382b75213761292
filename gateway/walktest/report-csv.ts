import type { WalkTestReport } from './report.js'

/**
 * A CSV cell [RFC 4180 §2]: quoted when it holds a comma, quote or line break. A cell a
 * spreadsheet would run as a formula (= + - @, tab, CR) gets a leading apostrophe (OWASP CSV
 * injection): zone names come from config, not from us.
 */
function cell(v: string | number | undefined): string {
  let s = v === undefined ? '' : String(v)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const COLUMNS = [
  'report',
  'site',
  'installer',
  'result',
  'point',
  'device',
  'zone',
  'label',
  'kind',
  'tested',
  'testedAt',
  'steps',
  'missing',
  'firmware',
  'serial',
  'sha256',
]

/** One row per point, with the report's identity on each row so a row read alone still says where it is from. */
export function reportCsv(r: WalkTestReport): string {
  const byId = new Map(r.devices.map((d) => [d.id, d]))
  const rows = r.points.map((p) => {
    const d = byId.get(p.device)
    return [
      r.id,
      r.site.id,
      r.installer,
      r.result,
      p.key,
      p.device,
      p.zone,
      p.label,
      p.kind,
      p.result,
      p.testedAt,
      p.steps.map((s) => `${s.step}@${s.at}`).join(' '),
      p.missing.join(' '),
      d?.firmware,
      d?.serial,
      r.sha256,
    ]
      .map(cell)
      .join(',')
  })
  return `${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`
}
