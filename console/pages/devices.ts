import { html } from 'htm/preact'
import { useEffect, useState } from 'preact/hooks'
import { useApp } from '../context.js'
import { lang, t } from '../i18n/index.js'
import { applyState, isStale, matchesFilter, type SortKey, sortDevices } from '../lib/devices.js'
import { formatAge, formatLocation, secondsSince } from '../lib/format.js'
import { href } from '../lib/router.js'
import { useApi } from '../lib/use-api.js'
import type { DeviceView } from '../types.js'
import { Failure, OnlineBadge } from './parts.js'

const COLUMNS: ReadonlyArray<[SortKey, 'devices.id' | 'devices.kind' | 'devices.location' | 'devices.state' | 'devices.lastSeen', string]> = [
  ['id', 'devices.id', ''],
  ['kind', 'devices.kind', 'wide'],
  ['location', 'devices.location', 'wide'],
  ['online', 'devices.state', ''],
  ['lastSeenAt', 'devices.lastSeen', ''],
]

export function DevicesPage() {
  const { live } = useApp()
  const loaded = useApi<{ devices: DeviceView[] }>('/devices')
  const [devices, setDevices] = useState<DeviceView[]>([])
  const [filter, setFilter] = useState('')
  const [sort, setSort] = useState<[SortKey, boolean]>(['id', false])
  useEffect(() => setDevices(loaded.data?.devices ?? []), [loaded.data])
  useEffect(() => live.on('state', (s) => setDevices((list) => applyState(list, s))), [live])
  if (!loaded.data)
    return html`<section aria-busy=${loaded.error ? 'false' : 'true'}><h1>${t('devices.title')}</h1>${loaded.error ? html`<${Failure} msg=${loaded.error} />` : html`<p>${t('common.loading')}</p>`}</section>`
  const now = Date.now()
  const shown = sortDevices(
    devices.filter((d) => matchesFilter(d, filter)),
    sort[0],
    sort[1],
  )
  const header = (k: SortKey, label: string, cls: string) => {
    const active = sort[0] === k
    return html`<th class=${cls} aria-sort=${active ? (sort[1] ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick=${() => setSort([k, active ? !sort[1] : false])}>${label}${active ? (sort[1] ? ' ▼' : ' ▲') : ''}</button></th>`
  }
  return html`<section aria-busy="false">
    <h1>${t('devices.title')}</h1>
    <label class="filter">${t('devices.filter')}
      <input type="search" placeholder=${t('devices.filterHint')} value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} /></label>
    <p class="muted">${t('devices.count', { shown: shown.length, total: devices.length })}</p>
    <table class="devices">
      <thead><tr>${COLUMNS.map(([k, key, cls]) => header(k, t(key), cls))}</tr></thead>
      <tbody>${shown.map((d) => {
        const stale = isStale(d, now)
        const age = secondsSince(d.lastSeenAt, now)
        return html`<tr key=${d.id} data-device=${d.id} class=${stale ? 'stale' : ''} title=${stale ? t('devices.stale') : undefined}>
          <td><a href=${href('devices', d.id)}>${d.name ?? d.id}</a><div class="muted small">${d.id}</div></td>
          <td class="wide">${d.kind}<div class="muted small">${d.adapter}</div></td>
          <td class="wide">${formatLocation(d.location)}</td>
          <td><${OnlineBadge} online=${d.online} />${d.onTest ? html` <span class="badge test">${t('common.onTest')}</span>` : ''}</td>
          <td>${age === undefined ? t('common.never') : t('common.ago', { age: formatAge(age, lang()) })}</td>
        </tr>`
      })}</tbody>
    </table>
  </section>`
}
