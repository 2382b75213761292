import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandResultStore } from '../../gateway/commands/result-store.js'
import type { CommandResult } from '../../base/events/command.js'

/** The store of first command results, on a real SQLite file, with an injected clock. */
let dir: string
let store: CommandResultStore | undefined
afterEach(async () => {
  await store?.close()
  store = undefined
  rmSync(dir, { recursive: true, force: true })
})

const T0 = Date.parse('2026-12-01T08:00:00Z')
const result = (id: string): CommandResult => ({ id, device: 'lock-1', action: 'raise', status: 'ok', at: new Date(T0).toISOString() })

async function open(now: () => number, extra: { retentionMs?: number; maxRows?: number } = {}): Promise<CommandResultStore> {
  store = await CommandResultStore.open({ path: join(dir, 'journal.db'), now, ...extra })
  return store
}

describe('command result store', () => {
  it('keeps a result across a reopen; a claim never finished reads as interrupted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-cs-'))
    let s = await open(() => T0)
    expect(await s.claim('lock-1', 'a', T0 + 60_000)).toEqual({ state: 'new' })
    await s.finish(result('a'))
    expect(await s.claim('lock-1', 'b', T0 + 60_000)).toEqual({ state: 'new' })
    await s.close()
    s = await open(() => T0 + 1000)
    expect(await s.claim('lock-1', 'a', T0 + 60_000)).toEqual({ state: 'done', result: result('a') })
    expect(await s.claim('lock-1', 'b', T0 + 60_000)).toEqual({ state: 'interrupted' })
    // The same id to another device is another command.
    expect(await s.claim('lock-2', 'a', T0 + 60_000)).toEqual({ state: 'new' })
  })

  it('keeps a command until its expiry, one without expiresAt for the retention, and at most maxRows', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-cs-'))
    let now = T0
    const s = await open(() => now, { retentionMs: 3_600_000, maxRows: 3 })
    expect(s.keepUntil('2026-12-01T08:05:00Z')).toBe(T0 + 300_000)
    expect(s.keepUntil(undefined)).toBe(T0 + 3_600_000)
    await s.claim('lock-1', 'expires-soon', s.keepUntil('2026-12-01T08:05:00Z'))
    await s.claim('lock-1', 'no-expiry', s.keepUntil(undefined))
    now = T0 + 301_000
    await s.prune()
    expect(await s.count()).toBe(1)
    expect(await s.claim('lock-1', 'expires-soon', now + 1000)).toEqual({ state: 'new' })
    for (const id of ['c', 'd', 'e']) await s.claim('lock-1', id, now + 10_000)
    await s.prune()
    // The three that expire last stay: no-expiry (in an hour) and two of c, d, e.
    expect(await s.count()).toBe(3)
    expect(await s.claim('lock-1', 'no-expiry', now)).toEqual({ state: 'interrupted' })
    now = T0 + 3_600_001 + 61_000
    expect(await s.claim('lock-1', 'f', now + 1000)).toEqual({ state: 'new' })
    expect(await s.count()).toBe(1) // pruned on the claim, a minute after the last prune
  })
})
