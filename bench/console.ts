import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { chromium, type Page } from 'playwright-core'
import { ConfigSchema } from '../config/schema.js'
import { createLogger } from '../base/log.js'
import { startGateway } from '../gateway/main.js'
import { percentile, round } from './lib/stats.js'

const LOADS = Number(process.env['PINGAN_BENCH_CONSOLE_LOADS'] ?? 10)
const USER = { name: 'bench-installer', password: 'bench-installer-pw', role: 'installer' }

/** What a browser downloads for the first page: index.html, the script and the stylesheet. */
function pageWeight(dir: string): Record<string, number> {
  let raw = 0
  let gzip = 0
  let brotli = 0
  for (const f of readdirSync(dir).filter((n) => /\.(html|js|css)$/.test(n))) {
    const b = readFileSync(join(dir, f))
    raw += b.length
    gzip += gzipSync(b, { level: 9 }).length
    brotli += brotliCompressSync(b).length
  }
  return { pageWeightKB: round(raw / 1024, 1), pageWeightGzipKB: round(gzip / 1024, 1), pageWeightBrotliKB: round(brotli / 1024, 1) }
}

/** Milliseconds from navigation start until `selector` is in the page (checked every frame). */
async function renderedAt(page: Page, url: string, selector: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' })
  const handle = await page.waitForFunction(`document.querySelector(${JSON.stringify(selector)}) ? performance.now() : 0`, undefined, {
    polling: 'raf',
    timeout: 30_000,
  })
  return (await handle.jsonValue()) as number
}

/**
 * The console's page weight (the files of dist/console/, compressed as a server or proxy would) and
 * its time to first render in headless Chromium against a gateway on loopback: the login form from a
 * cold cache, and the overview with its figures for a logged-in user (its API calls included).
 */
export async function run(log: (line: string) => void): Promise<Record<string, number | string>> {
  const dist = join(process.cwd(), 'dist', 'console')
  const weight = pageWeight(dist)
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-console-'))
  const config = ConfigSchema.parse({
    version: 1,
    site: { id: 'bench', name: 'Benchmark' },
    broker: { host: '127.0.0.1', port: 0, users: [] },
    api: { host: '127.0.0.1', port: 0, tokens: [], users: [USER] },
    journal: { path: join(dir, 'journal.db'), spareBytes: 0 },
    uplinks: [],
    devices: [],
    log: { level: 'warn' },
  })
  const gateway = await startGateway(config, { log: createLogger({ level: 'error' }) })
  const base = `http://127.0.0.1:${gateway.apiPort}`
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  try {
    const login: number[] = []
    const overview: number[] = []
    for (let i = 0; i < LOADS; i++) {
      // A new context each time: an empty cache and no cookie, as a first visit.
      const context = await browser.newContext({ baseURL: base })
      const page = await context.newPage()
      login.push(await renderedAt(page, '/', 'input[name="password"]'))
      await page.locator('input[name="name"]').fill(USER.name)
      await page.locator('input[name="password"]').fill(USER.password)
      await page.locator('form button[type="submit"]').click()
      await page.locator('header nav').waitFor()
      overview.push(await renderedAt(page, '/?again', 'section.overview[aria-busy="false"]'))
      await context.close()
    }
    log(`${LOADS} cold loads of the login page, then the overview logged in`)
    return {
      setup: `dist/console files; headless Chromium ${browser.version()} and the gateway on one machine over loopback, no throttling; ${LOADS} loads each`,
      ...weight,
      loginFirstRenderP50Ms: round(percentile(login, 50), 0),
      loginFirstRenderP90Ms: round(percentile(login, 90), 0),
      overviewRenderedP50Ms: round(percentile(overview, 50), 0),
      overviewRenderedP90Ms: round(percentile(overview, 90), 0),
    }
  } finally {
    await browser.close()
    await gateway.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
