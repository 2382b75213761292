import type { Uplink } from '../cloud-bridge/uplink.js'
import type { Logger } from '../base/log.js'
import { parseTopic, topics } from '../base/events/topics.js'
import type { LocalBroker } from './broker/broker.js'
import { CommandRouter, type CommandTarget } from './commands/router.js'
import { CommandResultStore } from './commands/result-store.js'
import { ResultWaiters } from './commands/result-waiters.js'
import type { Command, CommandResult } from '../base/events/command.js'

/** How long after a command expires its sender stops waiting for the result. */
const RESULT_GRACE_MS = 5000

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
  private constructor(
    private readonly o: CommandWiringOptions,
    private readonly router: CommandRouter,
    private readonly store: CommandResultStore,
    private readonly waiters: ResultWaiters,
  ) {}

  static async start(o: CommandWiringOptions): Promise<CommandWiring> {
    const { site, broker, uplinks } = o
    const store = await CommandResultStore.open({ path: o.path, now: o.now })
    const waiters = new ResultWaiters()
    const router = new CommandRouter({
      targets: o.targets,
      now: o.now,
      log: o.log,
      store,
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
      waiters.saw(t.device, payload)
      for (const u of uplinks) u.publishCommandResult(t.device, payload)
    })
    for (const u of uplinks) {
      u.on('command', (device, payload) => void broker.publish(topics.cmd(site, device), payload, 1, false))
    }
    return new CommandWiring(o, router, store, waiters)
  }

  /**
   * Sends a command the way an operator on the local broker does (the same topic, the same router,
   * the result published to the broker and every uplink) and resolves with its result. The
   * command must carry `expiresAt`: a result not seen by shortly after it is answered `timeout`.
   */
  async send(device: string, cmd: Command & { expiresAt: string }): Promise<CommandResult> {
    const waitMs = Math.max(0, Date.parse(cmd.expiresAt) - this.o.now()) + RESULT_GRACE_MS
    const result = this.waiters.wait(device, cmd.id, waitMs, () => this.unanswered(device, cmd, 'no result arrived before the command expired'))
    await this.o.broker.publish(topics.cmd(this.o.site, device), JSON.stringify(cmd), 1, false)
    return result
  }

  private unanswered(device: string, cmd: Pick<Command, 'id' | 'action'>, reason: string): CommandResult {
    return { id: cmd.id, device, action: cmd.action, status: 'timeout', reason, at: new Date(this.o.now()).toISOString() }
  }

  /** Waits for the commands in flight (once intake has stopped), then closes the result store. */
  async stop(): Promise<void> {
    await this.router.settle()
    this.waiters.stop((device, id) => this.unanswered(device, { id, action: '' }, 'the gateway stopped before the result arrived'))
    await this.store.close()
  }

  /** Closes the result store when the gateway fails to start. */
  close(): Promise<void> {
    return this.store.close()
  }
}
