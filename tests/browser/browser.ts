import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

/** Where the pages' screenshots go (git-ignored; CI keeps them as artefacts). */
export const ARTIFACTS = resolve(import.meta.dirname, '..', 'artifacts', 'console')

/** Debian's chromium; CHROMIUM_PATH overrides (tests/tools/ensure-system-deps.sh installs it). */
export function chromiumPath(): string {
  return process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
}

/** One headless Chromium per test file. `--no-sandbox`: CI and containers run as root. */
export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] })
}

export interface PageOptions {
  locale?: string
  viewport?: { width: number; height: number }
}

/** A fresh context (own cookies) and page; generous timeouts for a loaded 2-core machine. */
export async function openPage(browser: Browser, base: string, opts: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: base, locale: opts.locale ?? 'en-US', viewport: opts.viewport ?? { width: 1200, height: 900 } })
  context.setDefaultTimeout(20_000)
  const page = await context.newPage()
  return { context, page }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
}

/** Logs in through the login form and waits for the navigation to show. */
export async function logIn(page: Page, user: { name: string; password: string }): Promise<void> {
  await page.goto('/')
  await page.locator('input[name="name"]').fill(user.name)
  await page.locator('input[name="password"]').fill(user.password)
  await page.locator('form button[type="submit"]').click()
  await page.locator('header nav').waitFor()
}
