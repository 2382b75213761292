import { describe, expect, it } from 'vitest'
import { canonicalJson } from '../../../gateway/walktest/canonical.js'
import { sealReport, verifyReport, verifyReportText } from '../../../gateway/walktest/verify.js'
import { reportCsv } from '../../../gateway/walktest/report-csv.js'
import { reportHtml } from '../../../gateway/walktest/report-html.js'
import { buildReport } from '../../../gateway/walktest/report.js'
import { expectedPoints } from '../../../gateway/walktest/points.js'
import { WalkTestSession } from '../../../gateway/walktest/session.js'
import { ManualTimers } from '../../helpers/manual-timers.js'
import { committed, siteDevices } from './fixtures.js'

function endedSession() {
  const all = expectedPoints(siteDevices())
  const timers = new ManualTimers(Date.parse('2026-12-01T10:00:00Z'))
  const points = all.filter((p) => ['lock-1', 'cam-1'].includes(p.key))
  const s = new WalkTestSession({
    id: 'wt-1',
    installer: 'Li <Wei>',
    points,
    excluded: all.filter((p) => p.lifeSafety),
    includeLifeSafety: false,
    timeLimitMs: 60_000,
    timers,
    onChange: () => {},
    onEnd: () => {},
  })
  const ev = committed('cam-1', 'motion', { test: true })
  s.committed(ev)
  s.end('installer')
  return s
}

function report() {
  return buildReport({
    session: endedSession(),
    site: { id: 'lotus', name: 'Lotus "Garden" <b>' },
    generatedAt: Date.parse('2026-12-01T10:01:00Z'),
    devices: [{ id: 'cam-1', name: '=cmd|calc', adapter: 'onvif', kind: 'camera', source: 'health', firmware: '5.7.3', serial: 'SN-1' }],
    uplinks: [
      {
        uplink: 'platform',
        type: 'mqtt',
        started: { event: 'a', acknowledged: true, at: '2026-12-01T10:00:00.100Z' },
        ended: { event: 'b', acknowledged: false },
        proves: 'x',
      },
    ],
    clocks: { gatewayAt: '2026-12-01T10:01:00.000Z', offsets: [], notes: [] },
  })
}

describe('canonical JSON', () => {
  it('sorts keys at every depth, keeps array order, writes no whitespace and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: 'x', c: null }], e: undefined, é: 'ü' })).toBe('{"a":[3,{"c":null,"d":"x"}],"b":1,"é":"ü"}')
  })
})

describe('walk test report', () => {
  it('lists each point with its result, steps and missing steps, and the excluded life-safety zones', () => {
    const r = report()
    expect(r).toMatchObject({ result: 'incomplete', endedBy: 'installer', installer: 'Li <Wei>', summary: { points: 2, tested: 1, untested: 1, excluded: 1 } })
    expect(r.points.map((p) => [p.key, p.result, p.steps.map((s) => s.step), p.missing])).toEqual([
      ['lock-1', 'untested', [], ['raised', 'lowered']],
      ['cam-1', 'tested', ['seen'], []],
    ])
    expect(r.excluded.map((e) => e.key)).toEqual(['alarm-rx/009'])
  })

  it('its sha256 verifies, also after a pretty-printed round trip with keys in another order', () => {
    const r = report()
    expect(verifyReport(r)).toEqual({ ok: true, sha256: r.sha256 })
    const reordered = Object.fromEntries(Object.entries(r).reverse())
    expect(verifyReportText(JSON.stringify(reordered, null, 4)).ok).toBe(true)
  })

  it('fails when one byte of the file is edited, whichever byte of a value', () => {
    const text = JSON.stringify(report(), null, 2)
    // Every character inside a string value, bar the sha256's own: each edit is caught.
    const at = [...text.matchAll(/"(installer|result|label|testedAt|firmware)": "([^"]+)"/g)].map((m) => m.index! + m[0].length - 2)
    expect(at.length).toBeGreaterThan(4)
    for (const i of at) {
      const edited = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 1) + text.slice(i + 1)
      expect(verifyReportText(edited)).toMatchObject({ ok: false, reason: expect.stringContaining('changed after it was sealed') })
    }
  })

  it('fails for an added member, a changed number, a missing or malformed sha256', () => {
    const r = report()
    expect(verifyReport({ ...r, extra: 1 }).ok).toBe(false)
    expect(verifyReport({ ...r, summary: { ...r.summary, tested: 2 } }).ok).toBe(false)
    const { sha256: _s, ...bare } = r
    expect(verifyReport(bare)).toMatchObject({ ok: false, reason: expect.stringContaining('no sha256') })
    expect(verifyReport({ ...r, sha256: r.sha256.toUpperCase() }).ok).toBe(false)
    expect(verifyReportText('{"a":').ok).toBe(false)
    expect(verifyReport(sealReport({ a: 1 })).ok).toBe(true)
  })

  it('HTML is one self-contained page with every value escaped', () => {
    const r = report()
    const html = reportHtml(r)
    expect(html).toContain('Lotus &quot;Garden&quot; &lt;b&gt;')
    expect(html).toContain('Li &lt;Wei&gt;')
    expect(html).not.toContain('<b>Lotus')
    expect(html).not.toMatch(/<(script|link|img|iframe)\b|src=|href=|url\(/i)
    expect(html).toContain(r.sha256)
  })

  it('CSV has one row per point, quoted where needed, and no cell a spreadsheet would run', () => {
    const csv = reportCsv(report())
    const lines = csv.trimEnd().split('\r\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe('report,site,installer,result,point,device,zone,label,kind,tested,testedAt,steps,missing,firmware,serial,sha256')
    expect(lines[2]).toContain(',5.7.3,SN-1,')
    expect(lines[1]).toContain('raised lowered')
    expect(reportCsv({ ...report(), installer: '=HYPERLINK("x")' })).toContain(`"'=HYPERLINK(""x"")"`)
  })
})
