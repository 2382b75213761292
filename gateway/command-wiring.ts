import type { Uplink } from '../cloud-bridge/uplink.js'
import type { Logger } from './log.js'
import { parseTopic, topics } from './events/topics.js'
import type { LocalBroker } from './broker/broker.js'
import { CommandRouter, type CommandTarget } from './commands/router.js'
import { CommandResultStore } from './commands/result-store.js'

export interface CommandWiringOptions {
  site: string
  /** The journal's database file: command results are kept beside the events. */
  path: string
  broker: LocalBroker
  uplinks: readonly Uplink[]
  targets: ReadonlyMap<string, CommandTarget>
  now(): number
  log: Logger
}

/**
 * Commands: platform -> local broker -> adapter (or a third-party producer); results back the
 * same way, to the broker and to every uplink.
 */
export class CommandWiring {
  private constructor(private readonly router: CommandRouter, private readonly store: CommandResultStore) {}

  static async start(o: CommandWiringOptions): Promise<CommandWiring> {
    const { site, broker, uplinks } = o
    const store = await CommandResultStore.open({ path: o.path, now: o.now })
    const router = new CommandRouter({
      targets: o.targets, now: o.now, log: o.log, store,
      producerListening: (device) => broker.hasCommandListener(device),
      publishResult: (device, result) => void broker.publish(topics.cmdResult(site, device), JSON.stringify(result), 1, false),
    })
    await broker.subscribe(topics.allCommands(site), (topic, payload) => {
      const t = parseTopic(topic)
      if (t?.type === 'cmd') void router.handle(t.device, payload)
    })
    await broker.subscribe(topics.allCommandResults(site), (topic, payload) => {
      const t = parseTopic(topic)
      if (t?.type !== 'cmd-result') return
      router.sawResult(t.device, payload)
      for (const u of uplinks) u.publishCommandResult(t.device, payload)
    })
    for (const u of uplinks) {
      u.on('command', (device, payload) => void broker.publish(topics.cmd(site, device), payload, 1, false))
    }
    return new CommandWiring(router, store)
  }

  /** Waits for the commands in flight (once intake has stopped), then closes the result store. */
  async stop(): Promise<void> {
    await this.router.settle()
    await this.store.close()
  }

  /** Closes the result store when the gateway fails to start. */
  close(): Promise<void> {
    return this.store.close()
  }
}
