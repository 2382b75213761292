import { CommandResultSchema, type CommandResult } from '../../base/events/command.js'
import { SYSTEM_SET_TIMER, type SetTimer } from './producer-watch.js'

/** Callers waiting at once, at most: each holds an HTTP request open. */
export const MAX_WAITING = 1000

/** A command that cannot be awaited (its id is awaited already, or too many are): nothing was sent. */
export class WaitRefusedError extends Error {}

/**
 * Callers waiting for a command's result as it appears on `.../cmd/{device}/result` (the HTTP API
 * sends commands on the broker like any operator and answers with what comes back).
 */
export class ResultWaiters {
  private readonly waiting = new Map<string, { resolve(r: CommandResult): void; cancel(): void }>()

  constructor(private readonly setTimer: SetTimer = SYSTEM_SET_TIMER) {}

  get size(): number {
    return this.waiting.size
  }

  /**
   * Resolves with the result for (device, id), or with `onTimeout()` after `timeoutMs`. Throws
   * WaitRefusedError at once when it cannot wait, so the caller sends nothing.
   */
  wait(device: string, id: string, timeoutMs: number, onTimeout: () => CommandResult): Promise<CommandResult> {
    const key = `${device}\u0000${id}`
    if (this.waiting.has(key)) throw new WaitRefusedError(`a command "${id}" to ${device} is already awaited: give each command its own id`)
    if (this.waiting.size >= MAX_WAITING) throw new WaitRefusedError(`${MAX_WAITING} commands already await their results: try again shortly`)
    return new Promise((resolve) => {
      const cancel = this.setTimer(() => {
        this.waiting.delete(key)
        resolve(onTimeout())
      }, timeoutMs)
      this.waiting.set(key, { resolve, cancel })
    })
  }

  /** A payload seen on a device's result topic; one that is not a result is ignored here. */
  saw(device: string, payload: Buffer): void {
    if (this.waiting.size === 0) return
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch {
      return // not JSON: a producer's broken answer, refused where producers are checked
    }
    const parsed = CommandResultSchema.safeParse(json)
    if (!parsed.success) return
    const key = `${device}\u0000${parsed.data.id}`
    const w = this.waiting.get(key)
    if (!w) return
    this.waiting.delete(key)
    w.cancel()
    w.resolve(parsed.data)
  }

  /** Answers every caller still waiting (the gateway stops). */
  stop(answer: (device: string, id: string) => CommandResult): void {
    for (const [key, w] of this.waiting) {
      const [device, id] = key.split('\u0000') as [string, string]
      w.cancel()
      w.resolve(answer(device, id))
    }
    this.waiting.clear()
  }
}
