import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { Logger } from '../../base/log.js'
import type { EventInput } from '../../base/events/event.js'
import { PRIORITY_SUPERVISION } from '../../base/events/types.js'

const MARKER = 'running.json'

const MarkerSchema = z.object({ walktest: z.string(), installer: z.string(), startedAt: z.string(), devices: z.array(z.string()) })
export type RunningMarker = z.infer<typeof MarkerSchema>

/**
 * A walk test running is written down (`walktests/running.json`) until its end is committed. A
 * gateway that stopped without ending it (a crash, a power cut) finds the marker at its next start
 * and tells the uplinks the test ended: otherwise a monitoring centre told "walk test begins"
 * (Contact ID E607) would keep the account on test.
 */
export async function markRunning(dir: string, m: RunningMarker): Promise<void> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, MARKER)
  await writeFile(`${path}.tmp`, JSON.stringify(m))
  await rename(`${path}.tmp`, path)
}

export async function clearRunning(dir: string): Promise<void> {
  await rm(join(dir, MARKER), { force: true })
}

/** At start: ends, towards the uplinks, a walk test the gateway was running when it went down. */
export async function endInterrupted(dir: string, gatewayEvent: (input: EventInput) => Promise<void>, log: Logger): Promise<RunningMarker | undefined> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(join(dir, MARKER), 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    // A marker cut short by the crash: the walk test is still to be ended, by an unknown id.
    log.warn({ err, dir }, 'running walk test marker unreadable')
  }
  const parsed = MarkerSchema.safeParse(json)
  if (!parsed.success) log.warn({ dir, file: MARKER }, 'running walk test marker unreadable: ending an unknown walk test')
  const m = parsed.success ? parsed.data : undefined
  log.warn({ walktest: m?.walktest, startedAt: m?.startedAt }, 'a walk test was running when the gateway stopped: reported as ended, incomplete')
  await gatewayEvent({
    type: 'walktest.ended',
    priority: PRIORITY_SUPERVISION,
    attrs: {
      walktest: m?.walktest ?? 'unknown',
      result: 'incomplete',
      endedBy: 'gateway-restart',
      installer: m?.installer,
      startedAt: m?.startedAt,
      devices: m?.devices ?? [],
    },
  })
  await clearRunning(dir)
  return m
}
