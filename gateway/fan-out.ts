import type { Logger } from '../base/log.js'
import type { EventInput, GatewayEvent } from '../base/events/event.js'
import { topics } from '../base/events/topics.js'
import type { Journal } from './journal/journal.js'
import type { LocalBroker } from './broker/broker.js'
import type { DeviceStates } from './device-states.js'
import { JournalReports } from './journal-reports.js'

export interface FanOutOptions {
  site: string
  journal: Journal
  broker: LocalBroker
  states: DeviceStates
  /** Told of every committed event, in commit order (linkage, supervision). */
  consumers: ReadonlyArray<(event: GatewayEvent) => void>
  /** Records a gateway event; rejects with what the journal threw. */
  recordGatewayEvent(input: EventInput): Promise<unknown>
  log: Logger
}

/**
 * After a commit: every event goes to its consumers and out on the local broker (once anything
 * can read it there), then its device's state; the journal's evictions and recovery become gateway events.
 */
export function wireFanOut(o: FanOutOptions): void {
  const { site, journal, broker, states } = o
  journal.on('committed', (rows, events: GatewayEvent[]) => {
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!
      for (const c of o.consumers) c(ev)
      if (!broker.hasEventAudience) {
        states.seen(ev)
        continue
      }
      // State after its event: aedes 1.2 drops one of two QoS 1 publishes to the same subscriber
      // when a retained one is stored concurrently (seen with event/# and state/+ subscribed).
      void broker.publish(topics.event(site, ev.kind, ev.device), rows[i]!.body, 1, false).then(
        () => states.seen(ev),
        () => states.seen(ev),
      )
    }
  })
  const reports = new JournalReports(o.recordGatewayEvent, o.log)
  journal.on('evicted', (r) => {
    if (r.undelivered > 0) o.log.error({ report: r }, 'journal evicted undelivered events')
    reports.report({ type: 'journal.evicted', attrs: { ...r } })
  })
  // Recorded once the journal commits again: recording it while full would be one more commit
  // that fails (the journal logs the moment it fills, and reports it in its status meanwhile).
  journal.on('recovered', (s) => reports.recovered({ type: 'journal.full', attrs: { ...s } }))
}
