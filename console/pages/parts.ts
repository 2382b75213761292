import { html } from 'htm/preact'
import { t } from '../i18n/index.js'
import { formatTime } from '../lib/format.js'
import { eventDetail, snapshotOf } from '../lib/event-log.js'
import type { EventView } from '../types.js'

export function Failure({ msg }: { msg: string }) {
  return html`<p role="alert" class="err">${t('common.error', { msg })}</p>`
}

/** A link to the picture an event refers to, opened in a new tab. */
export function SnapshotLink({ e }: { e: EventView }) {
  const id = snapshotOf(e)
  return id ? html` <a href=${`/api/v1/snapshots/${id}`} target="_blank" rel="noopener" class="small">${t('device.snapshot')}</a>` : ''
}

export function OnlineBadge({ online }: { online: boolean }) {
  return html`<span class=${`badge ${online ? 'on' : 'off'}`}>${t(online ? 'common.online' : 'common.offline')}</span>`
}

/** A compact list of events, priority-coloured (overview's alarms, a device's recent events). */
export function EventList({ events }: { events: EventView[] }) {
  if (events.length === 0) return html`<p class="muted">${t('common.none')}</p>`
  return html`<ul class="events">${events.map(
    (e) => html`<li key=${e.id} class=${`p${e.priority}`}>
      <time>${formatTime(e.receivedAt)}</time> <strong>${e.type}</strong> <span class="muted">${e.device}</span>
      ${e.test ? html` <span class="badge test">${t('common.onTest')}</span>` : ''} <span class="small">${eventDetail(e)}</span><${SnapshotLink} e=${e} /></li>`,
  )}</ul>`
}
