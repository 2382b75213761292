import { html } from 'htm/preact'
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { mayAct, useApp } from '../context.js'
import { type MessageKey, t } from '../i18n/index.js'
import { type Action, actionsFor, doorsOf, paramsFor } from '../lib/actions.js'
import { formatLocation, formatTime } from '../lib/format.js'
import { href } from '../lib/router.js'
import { throttle } from '../lib/throttle.js'
import { useApi } from '../lib/use-api.js'
import type { CommandResult, DeviceView, EventView } from '../types.js'
import { EventList, Failure, OnlineBadge } from './parts.js'

const LINK_ROWS = ['frames', 'retries', 'crcErrors', 'timeouts', 'droppedBytes'] as const

/** A nested value on one line; a long one folded, opened on demand. */
function Nested({ v }: { v: unknown }) {
  const text = JSON.stringify(v)
  if (text.length <= 80) return html`<code>${text}</code>`
  return html`<details><summary>${text.slice(0, 60)}…</summary><pre>${JSON.stringify(v, null, 1)}</pre></details>`
}

function KeyValues({ obj }: { obj: Record<string, unknown> }) {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined && v !== null)
  if (entries.length === 0) return html`<p class="muted">${t('common.none')}</p>`
  return html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'object' ? html`<${Nested} v=${v} />` : String(v)}</dd>`)}</dl>`
}

function LinkQuality({ d }: { d: DeviceView }) {
  if (!d.link) return html`<p class="muted">${t('common.none')}</p>`
  const link = d.link
  return html`<table class="link"><thead><tr><th></th><th>${t('device.linkTotal')}</th><th>${t('device.linkPerMin')}</th></tr></thead>
    <tbody>${LINK_ROWS.map((k) => html`<tr><th scope="row">${t(`device.${k}` as MessageKey)}</th><td>${link[k]}</td><td>${link.perMinute?.[k] ?? '–'}</td></tr>`)}</tbody></table>
    ${d.supervision && html`<p>${t('device.supervision', { sec: d.supervision.lossDetectedAfterSec })}</p>`}`
}

function TestButtons({ d, onResult }: { d: DeviceView; onResult(r: CommandResult, action: Action): void }) {
  const { session } = useApp()
  const actions = actionsFor(d.adapter, d.kind)
  const doors = doorsOf(d.state)
  const [door, setDoor] = useState<string | undefined>(doors[0])
  const [busy, setBusy] = useState(false)
  if (actions.length === 0) return html`<p class="muted">${t('device.noTests')}</p>`
  if (!mayAct(session, 'operator')) return html`<p class="muted">${t('device.viewerOnly')}</p>`
  const send = async (action: Action) => {
    setBusy(true)
    try {
      onResult(
        await api<CommandResult>(`/devices/${encodeURIComponent(d.id)}/commands`, { method: 'POST', body: { action, params: paramsFor(action, door) } }),
        action,
      )
    } catch (err) {
      onResult({ status: 'error', reason: (err as Error).message }, action)
    } finally {
      setBusy(false)
    }
  }
  return html`<div class="buttons">
    ${doors.length > 1 && html`<label>${t('device.door')} <select value=${door} onChange=${(e: Event) => setDoor((e.target as HTMLSelectElement).value)}>${doors.map((x) => html`<option value=${x}>${x}</option>`)}</select></label>`}
    ${actions.map((a) => html`<button type="button" disabled=${busy} data-action=${a} onClick=${() => send(a)}>${t(`action.${a}` as MessageKey)}</button>`)}
  </div>`
}

/** The reference of a snapshot a command or event carries ("<camera>/<file>"). */
function snapshotId(data: Record<string, unknown> | undefined): string | undefined {
  const s = data?.['snapshot'] as { id?: unknown } | string | undefined
  if (typeof s === 'string') return s
  return typeof s?.id === 'string' ? s.id : undefined
}

export function DevicePage({ id }: { id: string }) {
  const { live } = useApp()
  const loaded = useApi<DeviceView & { recent: EventView[] }>(`/devices/${encodeURIComponent(id)}`)
  const [result, setResult] = useState<{ r: CommandResult; action: Action } | undefined>(undefined)
  useEffect(() => {
    // A reader bus changes its state several times a second: refetch at most every second.
    const reload = throttle(loaded.reload, 1000)
    const offEvent = live.on('event', (e) => e.device === id && reload())
    const offState = live.on('state', (s) => s.device === id && reload())
    return () => {
      offEvent()
      offState()
    }
  }, [live, id, loaded.reload])
  const d = loaded.data
  if (!d)
    return html`<section aria-busy=${loaded.error ? 'false' : 'true'}><h1>${id}</h1>${loaded.error ? html`<${Failure} msg=${loaded.error} />` : html`<p>${t('common.loading')}</p>`}</section>`
  const shot = snapshotId(result?.r.data)
  return html`<section class="device" aria-busy="false">
    <p><a href=${href('devices')}>← ${t('device.back')}</a></p>
    <h1>${d.name ?? d.id} <${OnlineBadge} online=${d.online} /></h1>
    <p class="muted">${d.id} · ${d.adapter} · ${d.kind} · ${formatLocation(d.location)}${d.lastSeenAt ? ` · ${formatTime(d.lastSeenAt)}` : ''}${d.reason ? ` · ${d.reason}` : ''}</p>
    <h2>${t('device.tests')}</h2>
    <${TestButtons} d=${d} onResult=${(r: CommandResult, action: Action) => setResult({ r, action })} />
    ${result && html`<p role="status" class=${result.r.status === 'ok' ? 'ok' : 'err'} data-testid="command-result">${t('device.sent', { action: t(`action.${result.action}` as MessageKey), status: result.r.status })}${result.r.reason ? ` (${result.r.reason})` : ''}</p>`}
    ${shot && html`<figure><img class="snapshot" src=${`/api/v1/snapshots/${shot}`} alt=${t('device.snapshot')} /><figcaption>${shot}</figcaption></figure>`}
    <div class="cols">
      <div><h2>${t('device.info')}</h2><${KeyValues} obj=${d.info} /></div>
      <div><h2>${t('device.link')}</h2><${LinkQuality} d=${d} /></div>
    </div>
    <h2>${t('device.recent')}</h2><${EventList} events=${d.recent} />
    <h2>${t('device.state')}</h2><${KeyValues} obj=${d.state} />
  </section>`
}
