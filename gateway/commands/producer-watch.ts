import type { Logger } from '../../base/log.js'
import { CommandSchema, type CommandResult } from '../../base/events/command.js'

/** Starts a timer; returns its cancel. */
export type SetTimer = (fn: () => void, ms: number) => () => void

export const SYSTEM_SET_TIMER: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, ms)
  t.unref()
  return () => clearTimeout(t)
}

/** Commands watched at once, at most: a flood of far-future expiries must not grow without bound. */
export const MAX_WATCHED = 10_000

export interface ProducerWatchDeps {
  now(): number
  setTimer: SetTimer
  publishResult(device: string, result: CommandResult): void
  log: Logger
}

/**
 * A command handed to a third-party producer is answered by the producer. One with `expiresAt`
 * that the producer leaves unanswered gets `timeout` when it expires, so the platform is never
 * left waiting for nothing.
 */
export class ProducerCommandWatch {
  private readonly watched = new Map<string, () => void>()

  constructor(private readonly deps: ProducerWatchDeps) {}

  /** The command went to a listening producer. Payloads it cannot read are the producer's to refuse. */
  handedOver(device: string, payload: Buffer): void {
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch {
      return // not JSON: the producer answers it (or not); there is no id to time out
    }
    const parsed = CommandSchema.safeParse(json)
    if (!parsed.success || parsed.data.expiresAt === undefined) return
    const cmd = parsed.data
    const key = `${device}\u0000${cmd.id}`
    if (this.watched.has(key)) return
    if (this.watched.size >= MAX_WATCHED) {
      this.deps.log.debug({ device, command: cmd.id }, 'too many commands awaiting producers: this one is not timed out')
      return
    }
    const ms = Math.max(0, Date.parse(cmd.expiresAt!) - this.deps.now())
    this.watched.set(
      key,
      this.deps.setTimer(() => {
        this.watched.delete(key)
        this.deps.log.warn({ device, command: cmd.id, action: cmd.action }, 'command timed out: the producer did not answer before it expired')
        this.deps.publishResult(device, {
          id: cmd.id,
          device,
          action: cmd.action,
          status: 'timeout',
          reason: `the producer did not answer before the command expired (${cmd.expiresAt})`,
          at: new Date(this.deps.now()).toISOString(),
        })
      }, ms),
    )
  }

  /** A result on `.../cmd/{device}/result`: the producer answered. */
  sawResult(device: string, payload: Buffer): void {
    if (this.watched.size === 0) return
    let id: unknown
    try {
      id = (JSON.parse(payload.toString('utf8')) as { id?: unknown } | null)?.id
    } catch {
      return
    }
    const key = `${device}\u0000${String(id)}`
    this.watched.get(key)?.()
    this.watched.delete(key)
  }

  stop(): void {
    for (const cancel of this.watched.values()) cancel()
    this.watched.clear()
  }
}
