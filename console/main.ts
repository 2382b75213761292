import { html } from 'htm/preact'
import { render } from 'preact'
import { App } from './app.js'
import { initialLang, savedLang, setLang } from './i18n/index.js'

setLang(initialLang(savedLang(), navigator.languages ?? [navigator.language]), false)
const root = document.getElementById('app')
if (root) render(html`<${App} />`, root)
