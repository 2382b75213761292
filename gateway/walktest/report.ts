import type { PointKind } from './points.js'
import type { WalkTestSession } from './session.js'
import type { DeviceReportEntry } from './device-info.js'
import type { UplinkCheck } from './path-checks.js'
import type { ClockReport } from './clocks.js'
import { sealReport } from './verify.js'

export const REPORT_FORMAT = 'pingan-walktest-report/1'

export interface ReportPoint {
  key: string
  device: string
  zone?: string
  label: string
  kind: PointKind
  result: 'tested' | 'untested'
  testedAt?: string
  steps: Array<{ step: string; at: string; event: string }>
  /** Steps that did not come (empty when tested). */
  missing: string[]
}

/** The walk test report as stored (`walktests/<id>.json`) and offered as JSON, CSV and HTML. */
export interface WalkTestReport {
  format: typeof REPORT_FORMAT
  id: string
  site: { id: string; name?: string }
  installer: string
  startedAt: string
  endsAt: string
  endedAt: string
  endedBy: string
  result: 'complete' | 'incomplete'
  includeLifeSafety: boolean
  summary: { points: number; tested: number; untested: number; excluded: number }
  points: ReportPoint[]
  /** Points on the site left out of this test (life-safety zones not included). */
  excluded: Array<{ key: string; label: string; reason: string }>
  devices: DeviceReportEntry[]
  uplinks: UplinkCheck[]
  clocks: ClockReport
  generatedAt: string
  sha256: string
}

export interface ReportParts {
  session: WalkTestSession
  site: { id: string; name?: string | undefined }
  devices: DeviceReportEntry[]
  uplinks: UplinkCheck[]
  clocks: ClockReport
  generatedAt: number
}

/** The report of an ended session, sealed with its SHA-256. Pure. */
export function buildReport(r: ReportParts): WalkTestReport {
  const s = r.session
  if (s.endedAt === undefined || s.endedBy === undefined) throw new Error(`walk test ${s.id} has not ended: no report yet`)
  const iso = (t: number) => new Date(t).toISOString()
  const points: ReportPoint[] = s.o.points.map((p) => {
    const steps = s.stepsOf(p.key).map((d) => ({ step: d.step, at: d.at, event: d.event }))
    const testedAt = s.testedAtOf(p.key)
    return {
      key: p.key,
      device: p.device,
      ...(p.zone !== undefined ? { zone: p.zone } : {}),
      label: p.label,
      kind: p.kind,
      result: testedAt !== undefined ? 'tested' : 'untested',
      ...(testedAt !== undefined ? { testedAt } : {}),
      steps,
      missing: p.expected.filter((e) => !steps.some((d) => d.step === e)),
    }
  })
  const tested = points.filter((p) => p.result === 'tested').length
  const body: Omit<WalkTestReport, 'sha256'> = {
    format: REPORT_FORMAT,
    id: s.id,
    site: { id: r.site.id, ...(r.site.name !== undefined ? { name: r.site.name } : {}) },
    installer: s.o.installer,
    startedAt: iso(s.startedAt),
    endsAt: iso(s.endsAt),
    endedAt: iso(s.endedAt),
    endedBy: s.endedBy,
    result: s.result,
    includeLifeSafety: s.o.includeLifeSafety,
    summary: { points: points.length, tested, untested: points.length - tested, excluded: s.o.excluded.length },
    points,
    excluded: s.o.excluded.map((p) => ({ key: p.key, label: p.label, reason: 'life-safety zone: stays live unless included' })),
    devices: r.devices,
    uplinks: r.uplinks,
    clocks: r.clocks,
    generatedAt: iso(r.generatedAt),
  }
  return sealReport(body)
}
