import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConsole, consoleIsBuilt } from '../../console/build.js'
import { canonicalJson } from '../../gateway/walktest/canonical.js'
import { launch, logIn, openPage, screenshot } from './browser.js'
import { DEV, INSTALLER, type Site, startSite } from './site.js'

/** A safety net for waits on a loaded 2-core machine, never a speed requirement. */
const DEADLINE_MS = 30_000

let site: Site
let browser: Browser

beforeAll(async () => {
  if (!consoleIsBuilt()) await buildConsole()
  site = await startSite()
  browser = await launch()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await site?.stop()
})

/** Waits until the checklist marks the point tested. */
function tested(page: Page, key: string): Promise<void> {
  return page.locator(`li[data-point="${key}"].done`).waitFor({ timeout: DEADLINE_MS })
}

/** Waits until the checklist shows one step of the point done (e.g. a door's "open"). */
function stepDone(page: Page, key: string, step: string): Promise<void> {
  return page.locator(`li[data-point="${key}"] .steps .ok`, { hasText: step }).waitFor({ timeout: DEADLINE_MS })
}

/** Presses a test button on a device's page and waits for its answer. */
async function command(page: Page, device: string, action: string): Promise<void> {
  await page.goto(`/#/devices/${device}`)
  await page.locator(`button[data-action="${action}"]`).click()
  await page.locator('[data-testid="command-result"].ok').waitFor({ timeout: DEADLINE_MS })
}

describe('a walk test from the console', () => {
  it('walks every point of the site, ends complete, and its report downloads and verifies', async () => {
    const { page } = await openPage(browser, site.base)
    await logIn(page, INSTALLER)
    // Every device online first: a point is tested by its device's events.
    await page.goto('/#/devices')
    for (const id of Object.values(DEV)) await page.locator(`tr[data-device="${id}"] .badge.on`).waitFor({ timeout: DEADLINE_MS })

    await page.goto('/#/walktest')
    await page.locator('[data-testid="walk-start"]').click()
    await page.locator('[data-testid="walk-state"]').waitFor()
    const points = await page.locator('li[data-point]').evaluateAll((els) => els.map((e) => e.getAttribute('data-point')))
    expect(points.sort()).toEqual([`${DEV.alarm}/001`, DEV.camera, `${DEV.doors}/main-gate/door`, `${DEV.doors}/main-gate/reader`, DEV.lock].sort())
    expect(await page.locator('[data-testid="walk-untested"]').textContent()).toContain('5 untested')
    await screenshot(page, 'walktest-running')

    site.zone('E')
    site.zone('R')
    await tested(page, `${DEV.alarm}/001`)
    site.card()
    await tested(page, `${DEV.doors}/main-gate/reader`)
    // The reader reports its inputs when polled: the door stays open until the gateway saw it.
    site.door(true)
    await stepDone(page, `${DEV.doors}/main-gate/door`, 'open')
    site.door(false)
    await tested(page, `${DEV.doors}/main-gate/door`)
    site.motion(true)
    await tested(page, DEV.camera)
    site.motion(false)
    // The lock from its device page, as an installer on site would.
    await command(page, DEV.lock, 'raise')
    await command(page, DEV.lock, 'lower')

    await page.goto('/#/walktest')
    await page.locator('[data-testid="walk-state"].on').waitFor({ timeout: DEADLINE_MS })
    expect(await page.locator('[data-testid="walk-untested"]').textContent()).toContain('0 untested')
    const report = page.locator('li[data-report]').first()
    await report.waitFor({ timeout: DEADLINE_MS })

    const [download] = await Promise.all([page.waitForEvent('download'), report.locator('a', { hasText: 'JSON' }).click()])
    const json = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Record<string, unknown>
    const { sha256, ...rest } = json
    expect(sha256).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'))
    expect(json).toMatchObject({ result: 'complete' })

    await report.locator('button').click()
    await page.locator('[data-testid="verify"].ok').waitFor()
    await screenshot(page, 'walktest')
    await page.context().close()
  }, 180_000)
})
