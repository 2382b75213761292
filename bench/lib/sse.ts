import { request, type ClientRequest } from 'node:http'

export interface SseMessage {
  event: string
  data: string
}

export interface SseClient {
  /** Resolves when the server has answered 200 and the stream is open. */
  opened: Promise<void>
  /** Messages by event name, as counts. */
  counts: Map<string, number>
  close(): void
}

/**
 * A Server-Sent Events reader over node:http (what a browser's EventSource does, without
 * reconnecting): calls `onMessage` for each complete message [HTML Living Standard §9.2.6].
 */
export function openSse(url: string, token: string, onMessage: (m: SseMessage) => void = () => undefined, onEnd: () => void = () => undefined): SseClient {
  const counts = new Map<string, number>()
  let req: ClientRequest
  const opened = new Promise<void>((resolve, reject) => {
    req = request(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`${url} answered ${res.statusCode}`))
        res.resume()
        return
      }
      resolve()
      res.setEncoding('utf8')
      let buf = ''
      res.on('data', (chunk: string) => {
        buf += chunk
        let end: number
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end)
          buf = buf.slice(end + 2)
          let event = 'message'
          const data: string[] = []
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim()
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
          }
          if (data.length === 0) continue // a comment or keep-alive
          counts.set(event, (counts.get(event) ?? 0) + 1)
          onMessage({ event, data: data.join('\n') })
        }
      })
      res.on('error', () => undefined)
      res.on('close', onEnd)
    })
    req.on('error', reject)
    req.end()
  })
  return { opened, counts, close: () => req.destroy() }
}
