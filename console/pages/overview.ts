import { html } from 'htm/preact'
import { useEffect } from 'preact/hooks'
import { useApp } from '../context.js'
import { lang, t } from '../i18n/index.js'
import { formatAge, formatBytes } from '../lib/format.js'
import { throttle } from '../lib/throttle.js'
import { useApi } from '../lib/use-api.js'
import { usePoll } from '../lib/use-poll.js'
import type { DeviceView, EventView, UplinksView } from '../types.js'
import { EventList, Failure } from './parts.js'
import { UplinkTable } from './uplinks.js'

interface Status {
  site: string
  uptimeSec: number
  memoryRssBytes?: number
  devices: { total: number; online: number }
}

/** Alarms: life-safety and security events (priority 1 and 2), newest first. */
const ALARM_MAX_PRIORITY = 2
const ALARMS_SHOWN = 5
/** Live changes refetch at most this often. */
const RELOAD_MS = 2000

export function OverviewPage() {
  const { live } = useApp()
  const status = useApi<Status>('/status')
  const up = useApi<UplinksView>('/uplinks')
  const devices = useApi<{ devices: DeviceView[] }>('/devices')
  const events = useApi<{ events: EventView[] }>('/events?limit=200')
  usePoll(status.reload, 5000)
  usePoll(up.reload, 5000)
  useEffect(() => live.on('state', throttle(devices.reload, RELOAD_MS)), [live, devices.reload])
  useEffect(() => {
    const reload = throttle(events.reload, RELOAD_MS)
    return live.on('event', (e) => e.priority <= ALARM_MAX_PRIORITY && reload())
  }, [live, events.reload])
  const err = status.error ?? up.error ?? devices.error ?? events.error
  const list = devices.data?.devices ?? []
  const online = list.filter((d) => d.online).length
  const alarms = (events.data?.events ?? []).filter((e) => e.priority <= ALARM_MAX_PRIORITY).slice(0, ALARMS_SHOWN)
  const j = up.data?.journal
  const busy = !(status.data && up.data && devices.data && events.data) && !err
  return html`<section class="overview" aria-busy=${busy ? 'true' : 'false'}>
    <h1>${t('nav.overview')}</h1>
    ${err && html`<${Failure} msg=${err} />`}
    <div class="cards">
      <article><h2>${t('overview.site')}</h2><p class="big">${status.data?.site ?? '…'}</p></article>
      <article><h2>${t('overview.health')}</h2>
        ${status.data && html`<p>${t('overview.uptime', { age: formatAge(status.data.uptimeSec, lang()) })}</p>`}
        ${status.data?.memoryRssBytes !== undefined && html`<p class="muted">${t('overview.memory', { size: formatBytes(status.data.memoryRssBytes) })}</p>`}</article>
      <article><h2>${t('overview.devices')}</h2><p class="big" data-testid="device-counts">${t('overview.devicesCount', { online, offline: list.length - online })}</p></article>
      <article><h2>${t('overview.journal')}</h2>
        ${
          j &&
          html`<p>${t('overview.journalUse', { rows: j.rows.toLocaleString(), maxRows: j.maxRows.toLocaleString(), bytes: formatBytes(j.bytes), maxBytes: formatBytes(j.maxBytes) })}</p>
          <progress max="100" value=${Math.round(100 * Math.max(j.rows / j.maxRows, j.bytes / j.maxBytes) || 0)} aria-label=${t('overview.journal')}></progress>`
        }
        ${up.data?.disk && html`<p class="muted">${t('overview.disk', { size: formatBytes(up.data.disk.freeBytes) })}</p>`}</article>
    </div>
    <h2>${t('uplinks.title')}</h2>
    ${up.data && html`<${UplinkTable} view=${up.data} />`}
    <h2>${t('overview.alarms')}</h2>
    ${alarms.length === 0 ? html`<p class="muted">${t('overview.noAlarms')}</p>` : html`<${EventList} events=${alarms} />`}
  </section>`
}
