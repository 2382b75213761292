import type { EventView, WalkTestView } from '../types.js'

/** What the live stream (/api/v1/events/live, Server-Sent Events) sends, by SSE event name. */
export interface LiveMessages {
  event: EventView
  state: { device: string; online: boolean } & Record<string, unknown>
  walktest: WalkTestView
  overflow: { missed: number }
  /** Not from the server: the connection opened (true) or dropped (false). */
  connection: boolean
}
type Name = keyof LiveMessages
type Listener<K extends Name> = (data: LiveMessages[K]) => void

/** How long to wait before opening a stream the browser gave up on (the server's own `retry:` is 3 s). */
const REOPEN_MS = 3000

/**
 * One EventSource for every page. On `overflow` the server has closed the stream: we tell the
 * pages (they reload what they show) and open a new one.
 */
export class LiveStream {
  private source: EventSource | undefined
  private retry: ReturnType<typeof setTimeout> | undefined
  private readonly listeners = new Map<Name, Set<Listener<Name>>>()
  connected = false

  constructor(private readonly url = '/api/v1/events/live') {}

  on<K extends Name>(name: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(name)
    if (!set) this.listeners.set(name, (set = new Set()))
    set.add(fn as Listener<Name>)
    return () => set.delete(fn as Listener<Name>)
  }

  open(): void {
    if (this.source || this.retry) return
    const es = new EventSource(this.url, { withCredentials: true })
    this.source = es
    es.onopen = () => this.setConnected(true)
    es.onerror = () => {
      this.setConnected(false)
      // The browser reconnects by itself after a network error, but gives up for good on an answer
      // that is not a stream (a 503 while every stream slot is taken, a gateway that is restarting):
      // then we open a new one ourselves.
      if (es.readyState !== EventSource.CLOSED || this.source !== es) return
      this.source = undefined
      this.retry = setTimeout(() => {
        this.retry = undefined
        this.open()
      }, REOPEN_MS)
    }
    for (const name of ['event', 'state', 'walktest'] as const) {
      es.addEventListener(name, (m) => this.emit(name, JSON.parse((m as MessageEvent).data as string)))
    }
    es.addEventListener('overflow', (m) => {
      this.close()
      this.emit('overflow', JSON.parse((m as MessageEvent).data as string))
      this.open()
    })
  }

  close(): void {
    clearTimeout(this.retry)
    this.retry = undefined
    this.source?.close()
    this.source = undefined
    this.setConnected(false)
  }

  private setConnected(up: boolean): void {
    if (this.connected === up) return
    this.connected = up
    this.emit('connection', up)
  }

  private emit<K extends Name>(name: K, data: LiveMessages[K]): void {
    for (const fn of this.listeners.get(name) ?? []) fn(data)
  }
}
