import { html } from 'htm/preact'
import type { VNode } from 'preact'
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { t } from '../i18n/index.js'
import type { Session } from '../types.js'

export function LoginPage({ onLogin, lang }: { onLogin(s: Session): void; lang: VNode }) {
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [failed, setFailed] = useState<string | undefined>(undefined)
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      onLogin(await api<Session>('/session', { method: 'POST', body: { name, password } }))
    } catch (err) {
      const status = (err as { status?: number }).status
      setFailed(status === 401 ? t('login.failed') : t('common.error', { msg: (err as Error).message }))
    }
  }
  return html`<main class="login">
    <h1>${t('app.title')}</h1>
    ${lang}
    <form onSubmit=${submit}>
      <h2>${t('login.title')}</h2>
      <label>${t('login.name')}<input name="name" autocomplete="username" required value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
      <label>${t('login.password')}<input name="password" type="password" autocomplete="current-password" required value=${password} onInput=${(e: Event) => setPassword((e.target as HTMLInputElement).value)} /></label>
      ${failed && html`<p role="alert" class="err">${failed}</p>`}
      <button type="submit">${t('login.submit')}</button>
    </form>
  </main>`
}
