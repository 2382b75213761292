/** A small client for the gateway's HTTP API over real HTTP: credentials, JSON, the live stream. */
export interface ApiClient {
  base: string
  /** Request headers that carry these credentials. */
  headers: Record<string, string>
  get(path: string): Promise<Response>
  json<T = Record<string, unknown>>(path: string): Promise<T>
  post(path: string, body: unknown): Promise<Response>
}

export function apiClient(base: string, headers: Record<string, string> = {}): ApiClient {
  const c: ApiClient = {
    base,
    headers,
    get: (path) => fetch(`${base}${path}`, { headers }),
    async json<T>(path: string) {
      const res = await c.get(path)
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
      return (await res.json()) as T
    },
    post: (path, body) => fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  }
  return c
}

export const bearer = (base: string, token: string) => apiClient(base, { authorization: `Bearer ${token}` })

/** Logs in with name and password; the client carries the session cookie. */
export async function loginClient(base: string, name: string, password: string): Promise<ApiClient> {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  })
  if (res.status !== 200) throw new Error(`login ${name}: ${res.status} ${await res.text()}`)
  return apiClient(base, { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! })
}

export interface SseFrame {
  event: string
  data: unknown
}

export interface LiveStream {
  frames: SseFrame[]
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  /** The first frame (from the start of the stream) that matches. */
  waitFor(pred: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>
  /** Resolves once `cond()` holds, asked again after each chunk read (keep it cheap). */
  waitUntil(cond: () => boolean, timeoutMs?: number): Promise<void>
  close(): void
}

/** Reads GET /api/v1/events/live as a browser's EventSource would, keeping every frame (and telling `onFrame`). */
export async function openLive(client: ApiClient, onFrame?: (f: SseFrame) => void): Promise<LiveStream> {
  const abort = new AbortController()
  const res = await fetch(`${client.base}/api/v1/events/live`, { headers: client.headers, signal: abort.signal })
  if (res.status !== 200 || !res.body) throw new Error(`live stream: ${res.status}`)
  const frames: SseFrame[] = []
  const waiters: Array<() => void> = []
  const ended = (async () => {
    const decoder = new TextDecoder()
    let buf = ''
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true })
        let at: number
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at)
          buf = buf.slice(at + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event === undefined || data === undefined) continue
          const f = { event, data: JSON.parse(data) as unknown }
          frames.push(f)
          onFrame?.(f)
        }
        for (const w of waiters.splice(0)) w()
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err
    }
  })()
  const stream: LiveStream = {
    frames,
    ended,
    async waitFor(pred, timeoutMs = 10_000) {
      let checked = 0
      let hit: SseFrame | undefined
      await stream.waitUntil(() => {
        for (; checked < frames.length && !hit; checked++) if (pred(frames[checked]!)) hit = frames[checked]
        return hit !== undefined
      }, timeoutMs)
      return hit!
    },
    async waitUntil(cond, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs
      while (!cond()) {
        if (Date.now() > until) throw new Error(`the live stream did not get there within ${timeoutMs} ms (${frames.length} frames)`)
        await new Promise<void>((r) => {
          waiters.push(r)
          setTimeout(r, 100)
        })
      }
    },
    close: () => abort.abort(),
  }
  return stream
}
