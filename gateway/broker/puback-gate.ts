import type { Socket } from 'node:net'

type Write = Socket['write']

interface Held {
  settled: boolean
  failed: boolean
  chunks: Array<Parameters<Write>>
}

/**
 * Holds a connection's outbound bytes behind its ingest commits, in order. aedes writes a QoS 1
 * PUBACK as soon as `authorizePublish` calls back [aedes lib/handlers/publish.js], and reads the
 * connection's next chunk only once every packet of the current one has called back
 * [aedes lib/client.js, nextBatch]. Calling back at once and holding the bytes here instead lets
 * aedes parse the next chunk while SQLite commits the last one, and still no PUBACK leaves before
 * its event is committed: whatever aedes writes after a commit started (that PUBACK, later
 * PUBACKs, deliveries) waits until that commit and every one before it on the connection has
 * settled. A failed commit cuts the connection with its PUBACK unsent, so the producer resends
 * [MQTT-4.4.0-1].
 */
export class PubackGate {
  private readonly held: Held[] = []
  private readonly write: Write

  constructor(private readonly socket: Socket) {
    this.write = socket.write.bind(socket) as Write
    socket.write = ((...args: Parameters<Write>) => {
      const last = this.held[this.held.length - 1]
      if (last === undefined) return this.write(...args)
      last.chunks.push(args)
      return true
    }) as Write
  }

  /** Commits still holding bytes back. */
  get pending(): number {
    return this.held.length
  }

  /**
   * Whatever is written from now on waits for `commit` (and the commits before it); `settled` is
   * called once it settled and what it held was written (with the failure, if it failed).
   */
  hold(commit: Promise<unknown>, settled: (err?: unknown) => void): void {
    const h: Held = { settled: false, failed: false, chunks: [] }
    this.held.push(h)
    commit.then(
      () => {
        this.settle(h, false)
        settled()
      },
      (err: unknown) => {
        this.settle(h, true)
        settled(err)
      },
    )
  }

  private settle(h: Held, failed: boolean): void {
    h.settled = true
    h.failed = failed
    if (this.held[0] !== h) return // an earlier commit still holds; it releases this one
    this.socket.cork()
    while (this.held.length > 0 && this.held[0]!.settled) {
      const first = this.held.shift()!
      if (first.failed) {
        // No PUBACK for this publish, nor for anything after it: the producer resends them all.
        this.held.length = 0
        this.socket.destroy()
        return
      }
      if (!this.socket.destroyed) for (const args of first.chunks) this.write(...args)
    }
    this.socket.uncork()
  }
}
