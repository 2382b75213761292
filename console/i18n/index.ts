import type { Lang } from './detect.js'
import { en, type MessageKey } from './en.js'
import { zh } from './zh.js'

export { initialLang, type Lang } from './detect.js'
export type { MessageKey } from './en.js'

export const LANGS: Readonly<Record<Lang, Record<MessageKey, string>>> = { en, zh }
const STORE_KEY = 'pingan.lang'

let current: Lang = 'en'

export function setLang(lang: Lang, save = true): void {
  current = lang
  if (save) globalThis.localStorage?.setItem(STORE_KEY, lang)
  if (globalThis.document) globalThis.document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
}

export function lang(): Lang {
  return current
}

export function savedLang(): string | null {
  return globalThis.localStorage?.getItem(STORE_KEY) ?? null
}

/** The current language's string, `{name}` replaced from vars. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return LANGS[current][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))
}
