import { openSse, type SseClient } from './lib/sse.js'

/**
 * `node live-readers.js URL TOKEN N`: N live-stream clients in a process of their own, so that
 * reading never waits behind the benchmark's producers. A client whose stream the gateway cuts
 * (it fell behind: `event: overflow`) opens it again, as the console reloads. Prints
 * `{"readersOpen":N}` once every stream is open and, on SIGTERM, what they received.
 */
const [url, token, n] = process.argv.slice(2)
if (!url || !token || !n) throw new Error('usage: live-readers URL TOKEN N')
let stopping = false
let reopened = 0
const received = new Array<number>(Number(n)).fill(0)
let overflows = 0
const clients: SseClient[] = []

function open(slot: number): SseClient {
  const c = openSse(
    url!,
    token!,
    (m) => {
      if (m.event === 'event') received[slot]!++
      if (m.event === 'overflow') overflows++
    },
    () => {
      if (stopping) return
      reopened++
      clients[slot] = open(slot)
    },
  )
  clients[slot] = c
  return c
}

await Promise.all(received.map((_, slot) => open(slot).opened))
console.log(JSON.stringify({ readersOpen: clients.length }))
// Kept alive while every stream is being reopened.
const keepAlive = setInterval(() => undefined, 60_000)
process.on('SIGTERM', () => {
  stopping = true
  clearInterval(keepAlive)
  for (const c of clients) c.close()
  console.log(JSON.stringify({ readerCounts: received, overflows, reopened }))
  process.exit(0)
})
