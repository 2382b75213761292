export type Lang = 'en' | 'zh'

/** The saved choice, else the browser's first language that is Chinese or English, else English. */
export function initialLang(saved: string | null, browser: readonly string[]): Lang {
  if (saved === 'en' || saved === 'zh') return saved
  for (const l of browser) {
    if (l.toLowerCase().startsWith('zh')) return 'zh'
    if (l.toLowerCase().startsWith('en')) return 'en'
  }
  return 'en'
}
