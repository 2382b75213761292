import type { Logger } from '../../base/log.js'
import { CommandSchema, type Command, type CommandResult } from '../../base/events/command.js'
import type { AdapterCommandResult } from '../../adapters/types.js'
import { errorMessage } from '../../base/errors.js'
import type { CommandResultStore } from './result-store.js'
import { ProducerCommandWatch, SYSTEM_SET_TIMER, type SetTimer } from './producer-watch.js'

export interface CommandTarget {
  /** undefined: the device has no in-process adapter (a third-party producer answers itself). */
  command: ((cmd: Command) => Promise<AdapterCommandResult>) | undefined
  inProcess: boolean
}

export interface CommandRouterDeps {
  targets: ReadonlyMap<string, CommandTarget>
  publishResult(device: string, result: CommandResult): void
  /** Where first results are kept, so a repeated command is answered without running again. */
  store: CommandResultStore
  /** Whether a producer that answers this device's commands is connected and subscribed to them. */
  producerListening(device: string): boolean
  now(): number
  /** Timers for commands awaiting a producer's answer (the system's by default). */
  setTimer?: SetTimer
  log: Logger
}

const INTERRUPTED: AdapterCommandResult = {
  status: 'error',
  reason: 'the gateway stopped while carrying out this command: its outcome is unknown; read the device state before sending a new command',
}

/**
 * Carries out commands that arrive on `.../cmd/{device}` (from the platform through the uplink, or
 * from a local operator) and answers each on `.../cmd/{device}/result` with the command's id.
 *
 * Commands are idempotent by id: a platform resends a command after a reconnect, and the device
 * must act once. A repeat that arrives while the first is running waits for its result; a later
 * one (also after a restart) gets the stored first result, until the command expires.
 */
export class CommandRouter {
  handled = 0
  invalid = 0
  repeats = 0
  /** Commands run without a record in the store (its database failed): a repeat of them would run again. */
  unrecorded = 0
  private readonly running = new Map<string, Promise<CommandResult>>()
  private storeFailing = false
  private readonly producers: ProducerCommandWatch

  constructor(private readonly deps: CommandRouterDeps) {
    this.producers = new ProducerCommandWatch({ now: deps.now, setTimer: deps.setTimer ?? SYSTEM_SET_TIMER, publishResult: deps.publishResult, log: deps.log })
  }

  /** A result seen on `.../cmd/{device}/result` (a producer's answer ends its wait). */
  sawResult(device: string, payload: Buffer): void {
    this.producers.sawResult(device, payload)
  }

  async handle(device: string, payload: Buffer): Promise<void> {
    const target = this.deps.targets.get(device)
    // A connected producer subscribed to its command topic answers itself.
    if (target && !target.inProcess && this.deps.producerListening(device)) {
      this.producers.handedOver(device, payload)
      return
    }
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch (err) {
      this.invalid++
      this.deps.log.warn({ device, err }, 'command refused: payload is not JSON')
      return
    }
    const parsed = CommandSchema.safeParse(json)
    const rawId = (json as { id?: unknown } | null)?.id
    const action = String((json as { action?: unknown } | null)?.action ?? '')
    if (!parsed.success) {
      this.invalid++
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ')
      this.deps.log.warn({ device, reason }, 'command refused: invalid')
      if (typeof rawId === 'string') this.deps.publishResult(device, this.result(device, rawId, action, { status: 'invalid', reason }))
      return
    }
    const cmd = parsed.data
    this.handled++
    if (!target) {
      this.deps.publishResult(device, this.result(device, cmd.id, cmd.action, { status: 'invalid', reason: `no device "${device}" on this gateway` }))
      return
    }
    if (!target.inProcess) {
      // Nobody would answer: say so now rather than leave the platform waiting for nothing.
      const result = this.result(device, cmd.id, cmd.action, {
        status: 'offline',
        reason: 'the producer of this device is not connected (or not subscribed to its command topic)',
      })
      this.deps.log.info({ device, command: cmd.id, action: cmd.action }, 'command answered offline: no producer listening')
      this.deps.publishResult(device, result)
      return
    }
    const key = `${device}\u0000${cmd.id}`
    const first = this.running.get(key)
    if (first) {
      this.repeats++
      this.deps.log.info({ device, command: cmd.id }, 'command repeated while running: answered with its result')
      this.deps.publishResult(device, await first)
      return
    }
    // Set before the first await, so a repeat arriving meanwhile finds it.
    const p = this.once(device, target, cmd)
    this.running.set(key, p)
    try {
      this.deps.publishResult(device, await p)
    } finally {
      this.running.delete(key)
    }
  }

  /** Waits for the commands being carried out (their adapters were stopped, so they end). */
  async settle(): Promise<void> {
    this.producers.stop()
    await Promise.allSettled([...this.running.values()])
  }

  private async once(device: string, target: CommandTarget, cmd: Command): Promise<CommandResult> {
    const store = this.deps.store
    let claimed = false
    try {
      const claim = await store.claim(device, cmd.id, store.keepUntil(cmd.expiresAt))
      if (claim.state === 'done') {
        this.repeats++
        this.deps.log.info({ device, command: cmd.id, status: claim.result.status }, 'command repeated: answered with its first result')
        return claim.result
      }
      claimed = true
      if (claim.state === 'interrupted') {
        this.deps.log.warn({ device, command: cmd.id }, 'command repeated after a restart that interrupted it: not run again')
        return await this.finish(this.result(device, cmd.id, cmd.action, INTERRUPTED))
      }
      this.storeFailing = false
    } catch (err) {
      // Without the store a repeat could run twice; refusing would keep gates shut in an emergency.
      this.unrecorded++
      if (!this.storeFailing) this.deps.log.error({ device, command: cmd.id, err }, 'cannot record the command: it runs, but a repeat of it would run again')
      else this.deps.log.debug({ device, command: cmd.id, err, unrecorded: this.unrecorded }, 'cannot record the command')
      this.storeFailing = true
    }
    const r = await this.run(device, target, cmd)
    this.deps.log.info({ device, command: cmd.id, action: cmd.action, issuedBy: cmd.issuedBy, status: r.status, reason: r.reason }, 'command done')
    const result = this.result(device, cmd.id, cmd.action, r)
    return claimed ? this.finish(result) : result
  }

  /** Stores the first result before it is published, so a repeat can never see none. */
  private async finish(result: CommandResult): Promise<CommandResult> {
    try {
      await this.deps.store.finish(result)
    } catch (err) {
      this.deps.log.error({ device: result.device, command: result.id, err }, 'cannot record the command result: a repeat would be answered as interrupted')
    }
    return result
  }

  private async run(device: string, target: CommandTarget, cmd: Command): Promise<AdapterCommandResult> {
    if (cmd.expiresAt !== undefined && Date.parse(cmd.expiresAt) < this.deps.now()) {
      return { status: 'expired', reason: `expired at ${cmd.expiresAt}` }
    }
    if (!target.command) return { status: 'unsupported', reason: 'this device takes no commands' }
    try {
      return await target.command(cmd)
    } catch (err) {
      this.deps.log.error({ device, command: cmd.id, err }, 'command failed')
      return { status: 'error', reason: errorMessage(err) }
    }
  }

  private result(device: string, id: string, action: string, r: AdapterCommandResult): CommandResult {
    const result: CommandResult = { id, device, action, status: r.status, at: new Date(this.deps.now()).toISOString() }
    if (r.reason !== undefined) result.reason = r.reason
    if (r.data !== undefined) result.data = r.data
    return result
  }
}
