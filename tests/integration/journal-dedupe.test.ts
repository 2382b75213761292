import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Journal, type AppendInput } from '../../gateway/journal/journal.js'
import { buildEvent } from '../../base/events/event.js'
import { UuidV7Generator } from '../../base/events/uuidv7.js'
import { captureLog } from '../helpers/logs.js'

const ids = new UuidV7Generator()
const T0 = 1_800_000_000_000
const WINDOW_MS = 60_000
let dir: string
let journal: Journal | undefined

function open(bootId = 'boot-1'): Promise<Journal> {
  return Journal.open({
    path: join(dir, 'journal.db'),
    maxRows: 100_000,
    maxBytes: 512 * 1024 * 1024,
    maxAgeMs: 86_400_000 * 365 * 10,
    spareBytes: 0,
    batchMaxEvents: 2000,
    uplinks: ['platform'],
    log: captureLog().log,
    now: () => T0,
    bootId,
  })
}

const DAY_MS = 86_400_000

/** `msg`, received when the wall clock read `stepMs` off the monotonic time. */
function stepped(text: string, ms: number, stepMs: number): AppendInput {
  const m = msg(text, ms)
  return { ...m, event: { ...m.event, receivedAt: new Date(T0 + ms + stepMs).toISOString() } }
}

/** A receiver line's message `text` at `ms` after T0, on the wall and the monotonic clock (`scope` null: none). */
function msg(text: string, ms: number, scope: string | null = 'line-1', device = 'rx'): AppendInput {
  const event = buildEvent({ site: 's', device, kind: 'alarm', location: {} }, { type: 'intrusion' }, ids.next(), T0 + ms)
  return { event, dedupeKey: text, dedupeWindowMs: WINDOW_MS, monoAt: ms, ...(scope === null ? {} : { dedupeScope: scope }) }
}

async function append(...inputs: AppendInput[]): Promise<boolean[]> {
  const out: boolean[] = []
  for (const i of inputs) out.push((await journal!.append(i)).duplicate)
  return out
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-dedupe-'))
})
afterEach(async () => {
  await journal?.close()
  journal = undefined
  rmSync(dir, { recursive: true, force: true })
})

describe('journal: a retransmission is merged, a new event never is', () => {
  it('the same text after something else from its source is a new event', async () => {
    journal = await open()
    expect(await append(msg('E130', 0), msg('R130', 1000), msg('E130', 2000))).toEqual([false, false, false])
    expect(await append(msg('E401', 3000), msg('R401', 4000), msg('E401', 5000), msg('R401', 6000))).toEqual([false, false, false, false])
  })

  it('a repeat that follows its original directly is merged, as often as the device repeats it', async () => {
    journal = await open()
    const first = await journal.append(msg('E130', 0))
    const repeats = await Promise.all([4000, 8000].map((ms) => msg('E130', ms)).map((i) => journal!.append(i)))
    expect(repeats.map((r) => [r.id, r.duplicate])).toEqual([
      [first.id, true],
      [first.id, true],
    ])
  })

  it('other sources in between do not matter; the window still does', async () => {
    journal = await open()
    expect(await append(msg('E130', 0), msg('E602', 1000, 'line-2'), msg('E602', 1500, 'line-1', 'other-rx'), msg('E130', 4000))).toEqual([
      false,
      false,
      false,
      true,
    ])
    expect(await append(msg('E130', 4000 + WINDOW_MS + 1))).toEqual([false])
  })

  it('holds across a restart: the latest event is read from SQLite', async () => {
    journal = await open()
    await append(msg('E130', 0))
    await journal.close()
    journal = await open()
    expect(await append(msg('E130', 4000))).toEqual([true])
    expect(await append(msg('R130', 5000), msg('E130', 6000))).toEqual([false, false])
    await journal.close()
    journal = await open()
    expect(await append(msg('E130', 7000))).toEqual([true])
  })

  it('decides the same for appends committed together (group commit)', async () => {
    journal = await open()
    const batch = [msg('E130', 0), msg('R130', 10), msg('E130', 20), msg('E130', 30)]
    const r = await Promise.all(batch.map((i) => journal!.append(i)))
    expect(r.map((x) => x.duplicate)).toEqual([false, false, false, true])
    expect(r[3]!.id).toBe(r[2]!.id)
  })

  it('without a scope, any earlier event with the key inside the window absorbs the repeat', async () => {
    journal = await open()
    expect(await append(msg('sc-fail', 0, null), msg('other', 1000, null), msg('sc-fail', 2000, null))).toEqual([false, false, true])
  })

  it('judges the window on the monotonic clock: a wall-clock step between an original and its repeat changes nothing', async () => {
    journal = await open()
    // The original while the wall clock reads a day behind; NTP steps it right; the device repeats 4 s later.
    expect(await append(stepped('E130', 0, -DAY_MS), msg('E130', 4000))).toEqual([false, true])
    // A forward step of an hour between a message and its repeat.
    expect(await append(msg('E131', 10_000), stepped('E131', 12_000, 3_600_000))).toEqual([false, true])
    // A new event after the window is new, whatever the wall clock says (stepped back by a day).
    expect(await append(msg('E132', 20_000), stepped('E132', 20_000 + WINDOW_MS + 1, -DAY_MS))).toEqual([false, false])
  })

  it('holds across a restart with the wall clock corrected while the gateway was down (same boot)', async () => {
    journal = await open()
    await append(stepped('E130', 0, -DAY_MS))
    await journal.close()
    journal = await open()
    expect(await append(msg('E130', 4000))).toEqual([true])
  })

  it('across a reboot the monotonic clock restarts: the window falls back to the wall clock', async () => {
    journal = await open('boot-1')
    await append(msg('E130', 0), msg('E130', 1000, 'line-1', 'rx-2'))
    await journal.close()
    journal = await open('boot-2')
    // Monotonic 5 ms after the boot, far below the originals' values: judged by receivedAt instead.
    const repeat = (wallMs: number, device: string) => ({ ...msg('E130', wallMs, 'line-1', device), monoAt: 5 })
    expect(await append(repeat(4000, 'rx'))).toEqual([true])
    expect(await append(repeat(1000 + WINDOW_MS + 1, 'rx-2'))).toEqual([false])
  })
})
