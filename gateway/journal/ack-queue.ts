/** Acknowledgements, parks and refused attempts waiting for the next commit. */
export interface AckWork {
  acks: Map<string, number[]>
  parks: Array<{ uplink: string; pos: number }>
  /** Refused attempts to add to each event's count (`n` of them since the last commit). */
  attempts: Array<{ uplink: string; pos: number; n: number }>
}

/**
 * Sets, not lists: a commit that fails gives its work back with `restore`, and an uplink that
 * acknowledges again meanwhile must not make the next attempt any larger (a retry list that was
 * appended to on every failed attempt once grew threefold per attempt until the process died).
 */
export class AckQueue {
  private acks = new Map<string, Set<number>>()
  private parks = new Map<string, { uplink: string; pos: number }>()
  private attempts = new Map<string, { uplink: string; pos: number; n: number }>()

  get size(): number {
    return this.acks.size + this.parks.size + this.attempts.size
  }

  ack(uplink: string, positions: Iterable<number>): void {
    let set = this.acks.get(uplink)
    if (!set) this.acks.set(uplink, (set = new Set()))
    for (const p of positions) set.add(p)
  }

  park(uplink: string, pos: number): void {
    this.parks.set(`${uplink}\u0000${pos}`, { uplink, pos })
  }

  attempted(uplink: string, pos: number, n = 1): void {
    const key = `${uplink}\u0000${pos}`
    const a = this.attempts.get(key)
    if (a) a.n += n
    else this.attempts.set(key, { uplink, pos, n })
  }

  /** Everything queued, handed to one commit. */
  take(): AckWork {
    const work: AckWork = { acks: new Map([...this.acks].map(([u, s]) => [u, [...s]])), parks: [...this.parks.values()], attempts: [...this.attempts.values()] }
    this.acks = new Map()
    this.parks = new Map()
    this.attempts = new Map()
    return work
  }

  /** Work whose commit failed, back in the queue for the next one (merged, never duplicated). */
  restore(work: AckWork): void {
    for (const [u, list] of work.acks) this.ack(u, list)
    for (const p of work.parks) this.park(p.uplink, p.pos)
    for (const a of work.attempts) this.attempted(a.uplink, a.pos, a.n)
  }
}

export const NO_WORK: AckWork = { acks: new Map(), parks: [], attempts: [] }
