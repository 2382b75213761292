import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Transport } from '../../../adapters/transport/transport.js'
import { SerialPortTransportSchema } from '../../../adapters/transport/config.js'
import { startPtyPair, type PtyPair } from '../../helpers/pty.js'
import { captureLog } from '../../helpers/logs.js'
import { ManualTimers } from '../../helpers/manual-timers.js'

const WAIT = {
  get signal() {
    return AbortSignal.timeout(30_000)
  },
}

/**
 * Reconnect pacing on a real PTY with injected timers: time moves only when the test fires the
 * transport's next timer, so the delays are exact whatever the machine's load.
 */
describe('serial transport reconnect timing (injected timers)', () => {
  let pair: PtyPair | undefined
  let transport: Transport | undefined
  let dir = ''
  afterEach(async () => {
    await transport?.stop()
    await pair?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Fires the transport's next timer and returns how long it was set for. */
  async function fire(timers: ManualTimers): Promise<number> {
    const from = timers.now()
    const due = await timers.nextDue(30_000)
    await timers.fireNext()
    return due - from
  }

  it('backs off from backoff.initialMs, doubling to backoff.maxMs, and starts over after each open', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pingan-pty-timing-'))
    const timers = new ManualTimers(1_000_000)
    const mem = captureLog()
    // random 0.5: each delay is half its ceiling (full jitter: uniform below the ceiling).
    const cfg = SerialPortTransportSchema.parse({ path: join(dir, 'a'), backoff: { initialMs: 500, maxMs: 4000 } })
    transport = new Transport(cfg, { log: mem.log, random: () => 0.5, timers })
    transport.start()
    // The port does not exist yet: every open fails and sets the next retry.
    const missing: number[] = []
    for (let i = 0; i < 6; i++) missing.push(await fire(timers))
    expect(missing).toEqual([250, 500, 1000, 2000, 2000, 2000])
    // The sixth retry failed too (its successor is set) before the port appears.
    await timers.nextDue(30_000)
    pair = await startPtyPair({ dir })
    const opened = once(transport, 'open', WAIT)
    expect(await fire(timers)).toBe(2000)
    await opened

    // Unplugged: the delays start over from backoff.initialMs.
    const closed = once(transport, 'close', WAIT)
    await pair.unplug()
    await closed
    const lostAt = timers.now()
    expect(await fire(timers)).toBe(250)
    expect(await fire(timers)).toBe(500)
    await timers.nextDue(30_000)
    await pair.replug()
    const reopened = once(transport, 'open', WAIT)
    expect(await fire(timers)).toBe(1000)
    await reopened
    // Downtime is measured on the injected clock: exactly the three delays.
    expect(timers.now() - lostAt).toBe(250 + 500 + 1000)
    expect(mem.find('transport reopened')).toMatchObject([{ downMs: 1750, attempts: 3 }])
  })
})
