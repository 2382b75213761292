import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { all, run, type Db } from './sqlite.js'

/**
 * CLOCK_MONOTONIC in ms (`process.hrtime`): never steps with NTP or `date -s`. On Linux it runs from
 * the boot and every process reads the same clock, so values written by the gateway before a
 * restart compare with values after it, as long as the box has not rebooted.
 */
export function bootMonotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n)
}

/** The kernel's id of this boot; a fresh id when it cannot be read (each start is then taken for a new boot). */
export function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return `unknown-${randomUUID()}`
  }
}

/**
 * Monotonic times written under another boot mean nothing now: they are cleared, and those events'
 * retransmission windows are judged on their wall-clock receivedAt instead (writes.ts).
 */
export async function adoptBoot(db: Db, bootId: string): Promise<void> {
  const [row] = await all<{ value: string }>(db, "SELECT value FROM meta WHERE key = 'boot'")
  if (row?.value === bootId) return
  await run(db, 'UPDATE events SET mono_at = NULL WHERE mono_at IS NOT NULL')
  await run(db, "INSERT INTO meta (key, value) VALUES ('boot', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [bootId])
}
