/**
 * A global bound on the ingest publishes in flight (admitted to the gate: checked, built, being
 * committed, PUBACK not yet written), by count and by payload bytes, shared fairly by connections.
 *
 * aedes parses a connection's whole socket chunk at once and reads its next chunk only when every
 * packet of the current one has been answered [aedes lib/client.js `nextBatch`]. A publish that
 * waits here therefore stops its connection's reading: what waits is at most one chunk per
 * connection, as raw packets, while the costly part (the event object, its JSON, the commit's
 * parameters: about 5 KB each) exists only for the admitted ones. Without it 1,000 producers'
 * chunks were all built and committed at once, and the 96 MB heap ran out.
 *
 * Fairness: waiting publishes queue per connection (first in, first out, so a device's order is
 * kept) and connections take turns, one admission each per round. A quiet producer's alarm waits
 * behind at most one publish of every other waiting connection, never behind a flood's backlog.
 * Pure: no I/O, no timers.
 */

export interface IngestBudgetLimits {
  /** Publishes in flight at most. */
  maxInflight: number
  /** Their payload bytes at most; a single larger publish is admitted alone. */
  maxInflightBytes: number
}

interface Waiting {
  bytes: number
  start: () => void
}

/** One connection's waiting publishes; `head` instead of `shift()`, which is linear in the length. */
interface Queue {
  items: Waiting[]
  head: number
}

export class IngestBudget {
  inflight = 0
  inflightBytes = 0
  /** The most publishes ever in flight at once (for the status and the tests). */
  peakInflight = 0
  peakInflightBytes = 0
  /** Publishes read and parsed but not yet admitted. */
  waiting = 0
  /** Publishes that had to wait for room. */
  deferred = 0
  private readonly queues = new Map<object, Queue>()
  /** Connections with waiting publishes, in turn order. */
  private ring: object[] = []
  private ringAt = 0
  /** A start that releases at once (a publish held at stop) must not recurse into the pump. */
  private pumping = false

  constructor(private readonly limits: IngestBudgetLimits) {
    if (!(limits.maxInflight >= 1)) throw new RangeError(`maxInflight must be at least 1, got ${limits.maxInflight}`)
    if (!(limits.maxInflightBytes >= 1)) throw new RangeError(`maxInflightBytes must be at least 1, got ${limits.maxInflightBytes}`)
  }

  /**
   * Runs `start` now if there is room and nothing waits, else when `connection`'s turn
   * comes. Every started publish must be `release`d with the same bytes once it is answered.
   */
  admit(connection: object, bytes: number, start: () => void): void {
    const queue = this.queues.get(connection)
    // Nobody overtakes a waiting publish: a large one would otherwise starve while small ones fit.
    if (this.ring.length === 0 && this.hasRoom(bytes)) return this.begin(bytes, start)
    this.deferred++
    this.waiting++
    if (queue) queue.items.push({ bytes, start })
    else {
      this.queues.set(connection, { items: [{ bytes, start }], head: 0 })
      this.ring.push(connection)
    }
  }

  release(bytes: number): void {
    this.inflight--
    this.inflightBytes -= bytes
    this.pump()
  }

  private hasRoom(bytes: number): boolean {
    if (this.inflight === 0) return true
    return this.inflight < this.limits.maxInflight && this.inflightBytes + bytes <= this.limits.maxInflightBytes
  }

  private begin(bytes: number, start: () => void): void {
    this.inflight++
    this.inflightBytes += bytes
    if (this.inflight > this.peakInflight) this.peakInflight = this.inflight
    if (this.inflightBytes > this.peakInflightBytes) this.peakInflightBytes = this.inflightBytes
    start()
  }

  /** Round robin: each waiting connection's oldest publish in turn, while there is room. */
  private pump(): void {
    if (this.pumping) return
    this.pumping = true
    try {
      this.turns()
    } finally {
      this.pumping = false
    }
  }

  private turns(): void {
    while (this.ring.length > 0) {
      if (this.ringAt >= this.ring.length) this.ringAt = 0
      const connection = this.ring[this.ringAt]!
      const queue = this.queues.get(connection)!
      const next = queue.items[queue.head]!
      if (!this.hasRoom(next.bytes)) return
      queue.head++
      this.waiting--
      if (queue.head === queue.items.length) {
        this.queues.delete(connection)
        this.ring.splice(this.ringAt, 1)
      } else this.ringAt++
      this.begin(next.bytes, next.start)
    }
  }
}
