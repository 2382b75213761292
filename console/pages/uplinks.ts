import { html } from 'htm/preact'
import { lang, t } from '../i18n/index.js'
import { formatAge, formatTime } from '../lib/format.js'
import { useApi } from '../lib/use-api.js'
import { usePoll } from '../lib/use-poll.js'
import type { UplinksView } from '../types.js'
import { Failure } from './parts.js'

/** The uplinks' table: also shown on the overview. */
export function UplinkTable({ view }: { view: UplinksView }) {
  return html`<table class="uplinks">
    <thead><tr><th>${t('uplinks.id')}</th><th>${t('uplinks.state')}</th><th>${t('uplinks.backlog')}</th><th>${t('uplinks.oldest')}</th>
      <th class="wide">${t('uplinks.lastAck')}</th><th class="wide">${t('uplinks.rate')}</th><th class="wide">${t('uplinks.parked')}</th></tr></thead>
    <tbody>${view.uplinks.map(
      (u) => html`<tr key=${u.id} data-uplink=${u.id} class=${u.state === 'up' ? '' : 'stale'}>
        <td>${u.id}<div class="muted small">${u.type}</div></td><td>${u.state}</td><td>${u.backlog}</td>
        <td>${u.oldestUndeliveredSec == null ? '–' : formatAge(u.oldestUndeliveredSec, lang())}</td>
        <td class="wide">${u.lastAckAt ? formatTime(u.lastAckAt) : t('common.never')}</td>
        <td class="wide">${u.deliveryRatePerMin ?? '–'}</td><td class="wide">${u.parked ?? 0}</td></tr>`,
    )}</tbody></table>`
}

export function UplinksPage() {
  const up = useApi<UplinksView>('/uplinks')
  usePoll(up.reload, 5000)
  return html`<section aria-busy=${up.data || up.error ? 'false' : 'true'}>
    <h1>${t('uplinks.title')}</h1>
    ${up.error ? html`<${Failure} msg=${up.error} />` : up.data ? html`<${UplinkTable} view=${up.data} />` : html`<p>${t('common.loading')}</p>`}
  </section>`
}
