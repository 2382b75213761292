import { describe, expect, it } from 'vitest'
import { initialLang } from '../../../console/i18n/detect.js'
import { en } from '../../../console/i18n/en.js'
import { zh } from '../../../console/i18n/zh.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('console message tables', () => {
  it('Chinese and English have the same keys', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort())
  })

  it.each(Object.keys(en))('%s: both non-empty, with the same placeholders', (key) => {
    const e = en[key as keyof typeof en]
    const z = zh[key as keyof typeof zh]
    expect(e.trim()).not.toBe('')
    expect(z.trim()).not.toBe('')
    expect(placeholders(z)).toEqual(placeholders(e))
  })

  it('the language follows the saved choice, else the browser', () => {
    expect(initialLang(null, ['zh-CN', 'en-US'])).toBe('zh')
    expect(initialLang(null, ['de-DE', 'en-GB', 'zh'])).toBe('en')
    expect(initialLang(null, ['fr-FR'])).toBe('en')
    expect(initialLang('zh', ['en-US'])).toBe('zh')
    expect(initialLang('xx', ['zh-TW'])).toBe('zh')
  })
})
