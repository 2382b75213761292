import type { Registry } from 'prom-client'
import { z } from 'zod'
import type { ForwarderStatus } from '../../cloud-bridge/forwarder.js'
import type { UplinkState } from '../../cloud-bridge/uplink.js'
import { stateCounter, stateGauge, type Sample } from './define.js'
import type { MetricsUplink } from './sources.js'

const STATES: readonly UplinkState[] = ['connecting', 'up', 'down', 'stopped']

/** The path part of a DC-09 uplink's `health()` (dc09-uplink.ts); other uplinks have no paths. */
const PathsHealth = z.object({
  activePath: z.string(),
  paths: z.array(z.object({ name: z.string(), good: z.boolean() })),
})

interface UplinkRead {
  id: string
  state: UplinkState
  status: ForwarderStatus
  paths: z.infer<typeof PathsHealth> | undefined
}

/**
 * Per uplink: connection state, backlog, oldest undelivered age, delivered and parked events, and a
 * DC-09 uplink's paths. A forwarder's status reads the outbox (async), so `refresh()` reads every
 * uplink once before a scrape and the collect callbacks expose that reading.
 */
export function uplinkMetrics(registry: Registry, uplinks: () => readonly MetricsUplink[]): { refresh(): Promise<void> } {
  let last: UplinkRead[] = []
  const each = (f: (u: UplinkRead) => Iterable<Sample<'uplink' | 'state' | 'path'>>) => () => last.flatMap((u) => [...f(u)])

  stateGauge(registry, {
    name: 'pingan_uplink_state',
    help: "The uplink's connection state: 1 for the state it is in, 0 for the others.",
    labelNames: ['uplink', 'state'],
    read: each((u) => STATES.map((s) => [{ uplink: u.id, state: s }, u.state === s ? 1 : 0])),
  })
  stateGauge(registry, {
    name: 'pingan_uplink_backlog_events',
    help: 'Events committed and not yet acknowledged by the uplink.',
    labelNames: ['uplink'],
    read: each((u) => [[{ uplink: u.id }, u.status.backlog]]),
  })
  stateGauge(registry, {
    name: 'pingan_uplink_inflight_events',
    help: 'Events sent to the uplink and awaiting its acknowledgement.',
    labelNames: ['uplink'],
    read: each((u) => [[{ uplink: u.id }, u.status.inflight]]),
  })
  // Absent while the outbox cannot be read: unknown is not zero (pingan_uplink_outbox_readable says why).
  stateGauge(registry, {
    name: 'pingan_uplink_oldest_undelivered_seconds',
    help: 'Age of the oldest event the uplink has not acknowledged; 0 when none waits.',
    labelNames: ['uplink'],
    read: each((u) => (u.status.outboxError === null ? [[{ uplink: u.id }, (u.status.oldestUndeliveredAgeMs ?? 0) / 1000]] : [])),
  })
  stateGauge(registry, {
    name: 'pingan_uplink_parked_events',
    help: 'Events the uplink refused too often, parked until an operator acts.',
    labelNames: ['uplink'],
    read: each((u) => (u.status.parked === null ? [] : [[{ uplink: u.id }, u.status.parked]])),
  })
  stateGauge(registry, {
    name: 'pingan_uplink_outbox_readable',
    help: "0 while the uplink's outbox cannot be read (backlog age and parked count unknown).",
    labelNames: ['uplink'],
    read: each((u) => [[{ uplink: u.id }, u.status.outboxError === null ? 1 : 0]]),
  })
  stateCounter(registry, {
    name: 'pingan_uplink_delivered_events_total',
    help: 'Events the uplink acknowledged since the gateway started.',
    labelNames: ['uplink'],
    read: each((u) => [[{ uplink: u.id }, u.status.delivered]]),
  })
  stateGauge(registry, {
    name: 'pingan_uplink_path_good',
    help: "DC-09 uplinks: 1 while the path's last test or event was acknowledged.",
    labelNames: ['uplink', 'path'],
    read: each((u) => (u.paths?.paths ?? []).map((p) => [{ uplink: u.id, path: p.name }, p.good ? 1 : 0])),
  })
  stateGauge(registry, {
    name: 'pingan_uplink_path_active',
    help: 'DC-09 uplinks: 1 for the path events go out on.',
    labelNames: ['uplink', 'path'],
    read: each((u) => (u.paths?.paths ?? []).map((p) => [{ uplink: u.id, path: p.name }, p.name === u.paths!.activePath ? 1 : 0])),
  })

  return {
    async refresh() {
      last = await Promise.all(
        uplinks().map(async ({ uplink, status }) => {
          const paths = PathsHealth.safeParse(uplink.health?.())
          return { id: uplink.id, state: uplink.state, status: await status(), paths: paths.success ? paths.data : undefined }
        }),
      )
    },
  }
}
