import type { GatewayConfig } from '../config/schema.js'
import type { Uplink } from '../cloud-bridge/uplink.js'
import type { Logger } from '../base/log.js'
import { topics } from '../base/events/topics.js'
import type { LocalBroker } from './broker/broker.js'
import type { GatewayStatus } from './status.js'

export interface StatusPublisherOptions {
  site: string
  broker: LocalBroker
  uplinks: readonly Uplink[]
  /** The uplinks' configs: an MQTT uplink may ask for a status more often than every 5 s. */
  uplinkConfigs: GatewayConfig['uplinks']
  status(): Promise<GatewayStatus>
  log: Logger
}

/** Publishes the gateway status, retained on the local broker and to every uplink, on a timer. */
export class StatusPublisher {
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly o: StatusPublisherOptions) {
    // A reconnected platform gets a fresh status at once: the last one was built while it was down.
    for (const u of o.uplinks) u.on('up', () => void this.publish())
  }

  async publish(): Promise<void> {
    try {
      const s = await this.o.status()
      await this.o.broker.publish(topics.gatewayStatus(this.o.site), JSON.stringify(s), 1, true)
      for (const u of this.o.uplinks) u.publishStatus(s)
    } catch (err) {
      this.o.log.warn({ err }, 'cannot publish gateway status')
    }
  }

  start(): void {
    const every = Math.min(...this.o.uplinkConfigs.map((u) => (u.type === 'mqtt' ? u.statusIntervalMs : 5000)), 5000)
    this.timer = setInterval(() => void this.publish(), every)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }
}
