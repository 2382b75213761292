import type { WalkTestReport } from './report.js'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for HTML element content and quoted attributes. */
export function esc(v: unknown): string {
  return (v === undefined || v === null ? '' : String(v)).replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

const row = (cells: unknown[]) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`
const head = (cells: string[]) => `<tr>${cells.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`
const table = (h: string[], rows: unknown[][]) => (rows.length === 0 ? '<p>None.</p>' : `<table>${head(h)}${rows.map(row).join('')}</table>`)

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
td,th{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eee}
.untested td{background:#fde8e8}.ok{color:#060}.bad{color:#a00}code{word-break:break-all}
@media print{body{margin:0}a{color:inherit}}`

/**
 * The report for printing: one self-contained page (inline style, no script, no external asset),
 * every value escaped. The JSON report is the signed one; this page shows its SHA-256.
 */
export function reportHtml(r: WalkTestReport): string {
  const result = r.result === 'complete' ? '<b class="ok">complete</b>' : '<b class="bad">incomplete</b>'
  const points = r.points
    .map(
      (p) =>
        `<tr${p.result === 'untested' ? ' class="untested"' : ''}>${[p.label, p.kind, p.result, p.testedAt ?? '', p.steps.map((s) => `${s.step} ${s.at}`).join('; '), p.missing.join(', ')].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Walk test ${esc(r.site.name ?? r.site.id)} ${esc(r.startedAt)}</title><style>${STYLE}</style></head><body>
<h1>Walk test report: ${esc(r.site.name ?? r.site.id)}</h1>
<p>Site ${esc(r.site.id)} · installer ${esc(r.installer)} · result ${result} (${esc(r.endedBy)})</p>
<p>Started ${esc(r.startedAt)} · ended ${esc(r.endedAt)} · time limit until ${esc(r.endsAt)} · life-safety zones ${r.includeLifeSafety ? 'included' : 'not included (stayed live)'}</p>
<p>${r.summary.tested} of ${r.summary.points} points tested, ${r.summary.untested} untested, ${r.summary.excluded} excluded.</p>
<h2>Points</h2>
<table>${head(['Point', 'Kind', 'Result', 'Tested at', 'Steps', 'Missing'])}${points}</table>
<h2>Excluded</h2>
${table(
  ['Point', 'Reason'],
  r.excluded.map((e) => [e.label, e.reason]),
)}
<h2>Devices</h2>
${table(
  ['Device', 'Adapter', 'Vendor', 'Model', 'Firmware', 'Serial', 'Source'],
  r.devices.flatMap((d) => [
    [d.name, d.adapter, d.vendor, d.model, d.firmware, d.serial, d.source],
    ...(d.parts ?? []).map((p) => [`${d.name} / ${p.name}`, '', p.vendor, p.model, p.firmware, p.serial, d.source]),
  ]),
)}
<h2>Uplink path checks</h2>
${table(
  ['Uplink', 'Type', 'Start acknowledged', 'End acknowledged', 'What it shows'],
  r.uplinks.map((u) => [u.uplink, u.type, u.started.at ?? 'no', u.ended.at ?? 'no', u.proves]),
)}
<h2>Clocks</h2>
<p>Gateway clock at report: ${esc(r.clocks.gatewayAt)}</p>
${table(
  ['Clock', 'Source', 'Offset (ms, + = ahead)', 'How'],
  r.clocks.offsets.map((c) => [c.id, c.source, c.offsetMs, c.basis]),
)}
${r.clocks.notes.length > 0 ? `<ul>${r.clocks.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Integrity</h2>
<p>SHA-256 of the JSON report (canonical JSON, keys sorted, without the sha256 field):<br><code>${esc(r.sha256)}</code></p>
<p>Report ${esc(r.id)} · made ${esc(r.generatedAt)} · format ${esc(r.format)}</p>
</body></html>
`
}
