import type { Logger } from './log.js'
import { CommandSchema, type Command, type CommandResult } from './events/command.js'
import type { AdapterCommandResult } from '../adapters/types.js'
import { errorMessage } from './errors.js'

export interface CommandTarget {
  /** undefined: the device has no in-process adapter (a third-party producer answers itself). */
  command: ((cmd: Command) => Promise<AdapterCommandResult>) | undefined
  inProcess: boolean
}

export interface CommandRouterDeps {
  targets: ReadonlyMap<string, CommandTarget>
  publishResult(device: string, result: CommandResult): void
  now(): number
  log: Logger
}

/**
 * Carries out commands that arrive on `.../cmd/{device}` (from the platform through the uplink, or
 * from a local operator) and answers each on `.../cmd/{device}/result` with the command's id.
 */
export class CommandRouter {
  handled = 0
  invalid = 0

  constructor(private readonly deps: CommandRouterDeps) {}

  async handle(device: string, payload: Buffer): Promise<void> {
    const target = this.deps.targets.get(device)
    if (target && !target.inProcess) return // the producer subscribed to its command topic answers itself
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch (err) {
      this.invalid++
      this.deps.log.warn({ device, err: errorMessage(err) }, 'command refused: payload is not JSON')
      return
    }
    const parsed = CommandSchema.safeParse(json)
    const rawId = (json as { id?: unknown } | null)?.id
    const action = String((json as { action?: unknown } | null)?.action ?? '')
    if (!parsed.success) {
      this.invalid++
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`).join('; ')
      this.deps.log.warn({ device, reason }, 'command refused: invalid')
      if (typeof rawId === 'string') this.answer(device, rawId, action, { status: 'invalid', reason })
      return
    }
    const cmd = parsed.data
    this.handled++
    const result = await this.run(device, target, cmd)
    this.deps.log.info({ device, command: cmd.id, action: cmd.action, status: result.status, reason: result.reason }, 'command done')
    this.answer(device, cmd.id, cmd.action, result)
  }

  private async run(device: string, target: CommandTarget | undefined, cmd: Command): Promise<AdapterCommandResult> {
    if (!target) return { status: 'invalid', reason: `no device "${device}" on this gateway` }
    if (cmd.expiresAt !== undefined && Date.parse(cmd.expiresAt) < this.deps.now()) {
      return { status: 'expired', reason: `expired at ${cmd.expiresAt}` }
    }
    if (!target.command) return { status: 'unsupported', reason: 'this device takes no commands' }
    try {
      return await target.command(cmd)
    } catch (err) {
      this.deps.log.error({ device, command: cmd.id, err: errorMessage(err) }, 'command failed')
      return { status: 'error', reason: errorMessage(err) }
    }
  }

  private answer(device: string, id: string, action: string, r: AdapterCommandResult): void {
    const result: CommandResult = { id, device, action, status: r.status, at: new Date(this.deps.now()).toISOString() }
    if (r.reason !== undefined) result.reason = r.reason
    if (r.data !== undefined) result.data = r.data
    this.deps.publishResult(device, result)
  }
}
