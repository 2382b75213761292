import { html } from 'htm/preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { useApp } from '../context.js'
import { type MessageKey, t } from '../i18n/index.js'
import { addEvent, eventDetail, LOG_MAX, matches, mergeEvents, type SearchPage, searchPath } from '../lib/event-log.js'
import { formatTime } from '../lib/format.js'
import type { EventView } from '../types.js'
import { Failure, SnapshotLink } from './parts.js'

/** The stored raw frame of one event, fetched when its row is opened. */
function RawFrame({ id }: { id: string }) {
  const [raw, setRaw] = useState<string | undefined>(undefined)
  const load = (e: Event) => {
    if ((e.target as HTMLDetailsElement).open && raw === undefined) {
      api<EventView>(`/events/${encodeURIComponent(id)}`).then(
        (ev) => setRaw(ev.raw ?? ''),
        (err: Error) => setRaw(err.message),
      )
    }
  }
  return html`<details onToggle=${load}><summary>raw</summary><pre class="raw">${raw ?? '…'}</pre></details>`
}

function Row({ e, hl, raw }: { e: EventView; hl: boolean; raw: boolean }) {
  return html`<tr class=${`p${e.priority}${hl ? ' hl' : ''}`} data-event=${e.id}>
    <td><time>${formatTime(e.receivedAt)}</time></td>
    <td>${e.device}</td>
    <td><strong>${e.type}</strong><span class="sr">${t(`priority.${e.priority}` as MessageKey)}</span>${e.test ? html` <span class="badge test">${t('common.onTest')}</span>` : ''}</td>
    <td class="small">${eventDetail(e)}<${SnapshotLink} e=${e} />${raw && html`<${RawFrame} id=${e.id} />`}</td>
  </tr>`
}

/** A search of the stored journal for one term, page after page further back. */
interface OlderSearch {
  term: string
  events: EventView[]
  cursor: string | null
  scanned: number
  done: boolean
}

export function LiveLogPage() {
  const { live } = useApp()
  const [events, setEvents] = useState<EventView[]>([])
  const [error, setError] = useState<string | undefined>(undefined)
  const [notice, setNotice] = useState<string | undefined>(undefined)
  const [search, setSearch] = useState('')
  const [highlight, setHighlight] = useState('')
  const [raw, setRaw] = useState(false)
  const [connected, setConnected] = useState(live.connected)
  const [loaded, setLoaded] = useState(false)
  const [older, setOlder] = useState<OlderSearch | undefined>(undefined)
  const reload = useCallback(() => {
    api<{ events: EventView[] }>(`/events?limit=${Math.min(LOG_MAX, 200)}`).then(
      (r) => {
        setEvents((now) => mergeEvents(now, r.events))
        setLoaded(true)
      },
      (e: Error) => setError(e.message),
    )
  }, [])
  useEffect(reload, [reload])
  useEffect(() => live.on('event', (e) => setEvents((list) => addEvent(list, e))), [live])
  useEffect(() => {
    const off = live.on('connection', setConnected)
    // The stream may have opened between this page's first render and now: take its state as it is.
    setConnected(live.connected)
    return off
  }, [live])
  useEffect(
    () =>
      live.on('overflow', (o) => {
        setNotice(t('live.overflow', { missed: o.missed }))
        reload()
      }),
    [live, reload],
  )
  const term = search.trim()
  const searched = older?.term === term ? older : undefined
  // The gateway examines a bounded number of rows per request: a partial page comes with a cursor,
  // and the button asks for the next stretch further back.
  const searchOlder = () => {
    const from = searched ?? { term, events: [], cursor: null, scanned: 0, done: false }
    api<SearchPage>(searchPath(term, from.cursor)).then(
      (r) => setOlder({ term, events: [...from.events, ...r.events], cursor: r.nextCursor, scanned: from.scanned + r.scanned, done: r.nextCursor === null }),
      (e: Error) => setError(e.message),
    )
  }
  const recent = events.filter((e) => matches(e, search))
  const recentIds = new Set(recent.map((e) => e.id))
  const shown = [...recent, ...(searched?.events.filter((e) => !recentIds.has(e.id)) ?? [])]
  const hlTerm = highlight.trim()
  const lastHit = hlTerm ? events.find((e) => matches(e, hlTerm)) : undefined
  return html`<section class="live" aria-busy=${loaded || error ? 'false' : 'true'}>
    <h1>${t('live.title')} <span class=${`badge ${connected ? 'on' : 'off'}`} data-testid="live-state">${t(connected ? 'live.connected' : 'live.disconnected')}</span></h1>
    ${error && html`<${Failure} msg=${error} />`}
    ${notice && html`<p role="status" class="notice">${notice}</p>`}
    <div class="controls">
      <label>${t('live.search')}<input type="search" name="search" value=${search} onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)} /></label>
      <label>${t('live.highlight')}<input type="search" name="highlight" placeholder=${t('live.highlightHint')} value=${highlight} onInput=${(e: Event) => setHighlight((e.target as HTMLInputElement).value)} /></label>
      <label class="check"><input type="checkbox" name="raw" checked=${raw} onChange=${(e: Event) => setRaw((e.target as HTMLInputElement).checked)} />${t('live.raw')}</label>
    </div>
    ${
      term !== '' &&
      html`<p class="older" role="status" data-testid="search-older">${searched && `${t('live.searched', { scanned: searched.scanned, found: searched.events.length })} `}${
        searched?.done ? t('live.searchEnd') : html`<button type="button" onClick=${searchOlder}>${t('live.searchOlder')}</button>`
      }</p>`
    }
    ${lastHit && html`<div class=${`hlbox p${lastHit.priority}`} role="status" aria-live="polite"><time>${formatTime(lastHit.receivedAt)}</time> <strong>${lastHit.type}</strong> ${lastHit.device} ${eventDetail(lastHit)}</div>`}
    ${
      shown.length === 0
        ? html`<p class="muted">${t('live.empty')}</p>`
        : html`<table class="log">
      <thead><tr><th>${t('live.time')}</th><th>${t('live.device')}</th><th>${t('live.type')}</th><th>${t('live.detail')}</th></tr></thead>
      <tbody>${shown.map((e) => html`<${Row} key=${e.id} e=${e} hl=${hlTerm !== '' && matches(e, hlTerm)} raw=${raw} />`)}</tbody></table>`
    }
  </section>`
}
