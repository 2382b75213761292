import { html } from 'htm/preact'
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../api.js'
import { mayAct, useApp } from '../context.js'
import { type MessageKey, t } from '../i18n/index.js'
import { verifyReport } from '../lib/canonical.js'
import { formatTime } from '../lib/format.js'
import { useApi } from '../lib/use-api.js'
import type { ReportSummary, WalkTestView } from '../types.js'
import { Failure } from './parts.js'

function StartForm({ onStarted }: { onStarted(w: WalkTestView): void }) {
  const { session } = useApp()
  const [minutes, setMinutes] = useState(30)
  const [installer, setInstaller] = useState(session.user)
  const [lifeSafety, setLifeSafety] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  if (!mayAct(session, 'installer')) return html`<p class="muted">${t('walk.installerOnly')}</p>`
  const start = async (e: Event) => {
    e.preventDefault()
    try {
      onStarted(await api<WalkTestView>('/walktests', { method: 'POST', body: { timeLimitMinutes: minutes, installer, includeLifeSafety: lifeSafety } }))
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return html`<form class="walkstart" onSubmit=${start}>
    <label>${t('walk.installer')}<input name="installer" value=${installer} onInput=${(e: Event) => setInstaller((e.target as HTMLInputElement).value)} /></label>
    <label>${t('walk.limit')}<input name="minutes" type="number" min="1" max="480" value=${minutes} onInput=${(e: Event) => setMinutes(Number((e.target as HTMLInputElement).value))} /></label>
    <label class="check"><input type="checkbox" name="lifeSafety" checked=${lifeSafety} onChange=${(e: Event) => setLifeSafety((e.target as HTMLInputElement).checked)} />${t('walk.lifeSafety')}</label>
    ${error && html`<${Failure} msg=${error} />`}
    <button type="submit" data-testid="walk-start">${t('walk.start')}</button>
  </form>`
}

function Checklist({ w, onEnd }: { w: WalkTestView; onEnd(): void }) {
  return html`<div class="walk">
    <p class="big"><span class=${`badge ${w.state === 'complete' ? 'on' : w.state === 'running' ? 'test' : 'off'}`} data-testid="walk-state">${t(`walk.state.${w.state}` as MessageKey)}</span>
      <span data-testid="walk-untested"> ${t('walk.untested', { n: w.untested })}</span></p>
    ${w.report && html`<p class="muted small hash">SHA-256 ${w.report.sha256}</p>`}
    ${w.state === 'running' && html`<p class="muted">${t('walk.endsAt', { time: formatTime(w.endsAt) })}</p><button type="button" data-testid="walk-end" onClick=${onEnd}>${t('walk.end')}</button>`}
    <ul class="checklist">${w.points.map(
      (p) => html`<li key=${p.key} class=${p.tested ? 'done' : 'todo'} data-point=${p.key}>
        <span aria-hidden="true">${p.tested ? '✔' : '○'}</span> <strong>${p.label}</strong> <span class="muted small">${p.device}${p.zone ? ` · ${p.zone}` : ''} · ${p.kind}</span>
        <span class="small steps">${(p.expected ?? p.steps).map((st) => html` <span class=${p.steps.includes(st) ? 'ok' : 'muted'}>${p.steps.includes(st) ? '✔' : '○'} ${st}</span>`)}</span>${p.testedAt && html` <time class="small">${formatTime(p.testedAt)}</time>`}
        <span class="sr">${p.tested ? t('walk.tested') : t('walk.untested', { n: 1 })}</span></li>`,
    )}</ul></div>`
}

function Report({ r }: { r: ReportSummary }) {
  const [verdict, setVerdict] = useState<boolean | undefined>(undefined)
  const base = `/api/v1/walktests/${encodeURIComponent(r.id)}/report`
  const verify = async () => {
    const report = await api<Record<string, unknown>>(`/walktests/${encodeURIComponent(r.id)}/report.json`)
    setVerdict((await verifyReport(report)).ok)
  }
  return html`<li data-report=${r.id}>
    <strong>${formatTime(r.startedAt)}</strong> – ${formatTime(r.endedAt)} <span class=${`badge ${r.result === 'complete' ? 'on' : 'off'}`}>${t(`walk.state.${r.result}`)}</span>
    <a href=${`${base}.html`} target="_blank" rel="noopener">HTML</a> <a href=${`${base}.json`} download>JSON</a> <a href=${`${base}.csv`} download>CSV</a>
    <button type="button" class="small" onClick=${verify}>${t('walk.verify')}</button>
    ${verdict !== undefined && html` <span role="status" data-testid="verify" class=${verdict ? 'ok' : 'err'}>${t(verdict ? 'walk.verified' : 'walk.notVerified')}</span>`}
    <div class="muted small hash">SHA-256 ${r.sha256}</div></li>`
}

export function WalkTestPage() {
  const { live } = useApp()
  const [current, setCurrent] = useState<WalkTestView | null | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const reports = useApi<{ reports: ReportSummary[] }>('/walktests')
  useEffect(() => {
    api<WalkTestView>('/walktests/current').then(setCurrent, (e: unknown) =>
      e instanceof ApiError && e.status === 404 ? setCurrent(null) : setError((e as Error).message),
    )
  }, [])
  useEffect(
    () =>
      live.on('walktest', (w) => {
        setCurrent(w)
        if (w.state !== 'running') reports.reload()
      }),
    [live, reports.reload],
  )
  const end = () =>
    api<WalkTestView>('/walktests/current/end', { method: 'POST' }).then(
      (w) => {
        setCurrent(w)
        reports.reload()
      },
      (e: Error) => setError(e.message),
    )
  return html`<section aria-busy=${current === undefined && !error ? 'true' : 'false'}>
    <h1>${t('walk.title')}</h1>
    ${(error ?? reports.error) && html`<${Failure} msg=${error ?? reports.error} />`}
    ${current && html`<${Checklist} w=${current} onEnd=${end} />`}
    ${current === null && html`<p class="muted">${t('walk.none')}</p>`}
    ${current !== undefined && current?.state !== 'running' && html`<${StartForm} onStarted=${setCurrent} />`}
    <h2>${t('walk.reports')}</h2>
    <ul class="reports">${(reports.data?.reports ?? []).map((r) => html`<${Report} key=${r.id} r=${r} />`)}</ul>
  </section>`
}
