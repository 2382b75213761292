import type { ServerResponse } from 'node:http'

/** One frame of the stream, serialized once for every client, with its size in bytes. */
export interface Frame {
  text: string
  bytes: number
}

export interface SseClientOptions {
  /** What we queue for this client beyond what its socket takes, at most; past it the client is cut. */
  maxQueuedBytes: number
  /** A client told it overflowed is destroyed if it has not read the end by then. */
  closeGraceMs: number
  onClose(client: SseClient): void
}

/**
 * One Server-Sent Events client. `send` never waits and never buffers without bound: frames go to
 * the socket while it takes them, then to a small queue drained on 'drain'; a client whose queue
 * would pass its bound is sent `event: overflow` with how many frames it missed and closed, so a
 * stalled browser costs the gateway a bounded amount of memory and nothing else.
 */
export class SseClient {
  private queue: Frame[] = []
  private queuedBytes = 0
  private closed = false
  /** The most bytes held for this client at once (its socket's buffer and our queue). */
  peakBufferedBytes = 0
  /** Frames dropped when it overflowed. */
  missed = 0

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: SseClientOptions,
  ) {
    res.on('drain', () => this.flush())
    res.on('close', () => this.close())
  }

  get isClosed(): boolean {
    return this.closed
  }

  send(frame: Frame): void {
    if (this.closed) return
    if (this.queue.length === 0 && !this.res.writableNeedDrain) {
      this.res.write(frame.text)
    } else if (this.queuedBytes + frame.bytes > this.opts.maxQueuedBytes) {
      return this.overflow(this.queue.length + 1)
    } else {
      this.queue.push(frame)
      this.queuedBytes += frame.bytes
    }
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.res.writableLength + this.queuedBytes)
  }

  /** Ends the stream (the gateway stops). */
  end(): void {
    if (this.closed) return
    this.close()
    this.res.end()
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.res.writableNeedDrain && !this.closed) {
      const f = this.queue.shift()!
      this.queuedBytes -= f.bytes
      this.res.write(f.text)
    }
  }

  private overflow(missed: number): void {
    this.missed = missed
    this.queue = []
    this.queuedBytes = 0
    this.close()
    // The client reloads on this; one that reads nothing at all never gets it and is cut below.
    this.res.end(`event: overflow\ndata: ${JSON.stringify({ missed })}\n\n`)
    const socket = this.res.socket
    setTimeout(() => socket?.destroy(), this.opts.closeGraceMs).unref()
  }

  private close(): void {
    if (this.closed) return
    this.closed = true
    this.opts.onClose(this)
  }
}
