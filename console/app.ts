import { html } from 'htm/preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, setUnauthorizedHandler } from './api.js'
import { Ctx } from './context.js'
import { type Lang, lang, setLang, t } from './i18n/index.js'
import { LiveStream } from './lib/live.js'
import { href, useRoute } from './lib/router.js'
import { DevicePage } from './pages/device.js'
import { DevicesPage } from './pages/devices.js'
import { LiveLogPage } from './pages/live-log.js'
import { LoginPage } from './pages/login.js'
import { OverviewPage } from './pages/overview.js'
import { UplinksPage } from './pages/uplinks.js'
import { WalkTestPage } from './pages/walktest.js'
import type { Session } from './types.js'

const NAV = [
  ['', 'nav.overview'],
  ['devices', 'nav.devices'],
  ['live', 'nav.live'],
  ['walktest', 'nav.walktest'],
  ['uplinks', 'nav.uplinks'],
] as const

function Page({ route }: { route: string[] }) {
  const [top, id] = route
  if (top === 'devices' && id) return html`<${DevicePage} id=${id} />`
  if (top === 'devices') return html`<${DevicesPage} />`
  if (top === 'live') return html`<${LiveLogPage} />`
  if (top === 'walktest') return html`<${WalkTestPage} />`
  if (top === 'uplinks') return html`<${UplinksPage} />`
  return html`<${OverviewPage} />`
}

function LangSwitch({ onChange }: { onChange(l: Lang): void }) {
  return html`<label class="lang"><span class="sr">${t('nav.language')}</span>
    <select value=${lang()} onChange=${(e: Event) => onChange((e.target as HTMLSelectElement).value as Lang)}>
      <option value="zh">中文</option><option value="en">English</option>
    </select></label>`
}

/** Session check, then the login page or the pages with their navigation. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined)
  const [, setLangState] = useState(lang())
  const route = useRoute()
  const live = useMemo(() => new LiveStream(), [])
  const changeLang = (l: Lang) => {
    setLang(l)
    setLangState(l)
  }
  useEffect(() => {
    setUnauthorizedHandler(() => setSession(null))
    api<Session>('/session').then(setSession, () => setSession(null))
  }, [])
  useEffect(() => {
    if (session) live.open()
    else live.close()
  }, [session, live])
  if (session === undefined) return html`<p class="wait">${t('common.loading')}</p>`
  if (session === null) return html`<${LoginPage} onLogin=${setSession} lang=${html`<${LangSwitch} onChange=${changeLang} />`} />`
  const logout = () => api('/session', { method: 'DELETE' }).finally(() => setSession(null))
  const current = route[0] ?? ''
  return html`<${Ctx.Provider} value=${{ session, live }}>
    <header>
      <strong class="brand">${t('app.title')}</strong>
      <nav aria-label="main">${NAV.map(([path, key]) => html`<a href=${href(...(path ? [path] : []))} aria-current=${current === path ? 'page' : undefined}>${t(key)}</a>`)}</nav>
      <span class="who">${session.user} (${session.role})</span>
      <${LangSwitch} onChange=${changeLang} />
      <button type="button" class="link" onClick=${logout}>${t('nav.logout')}</button>
    </header>
    <main><${Page} route=${route} /></main>
  </${Ctx.Provider}>`
}
