import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { MAX_QUEUED_BYTES } from '../../../gateway/api/live/hub.js'
import { bearer, openLive } from '../../helpers/api-client.js'
import { API_TOKEN, startHarness, type Harness } from '../../helpers/harness.js'

const EVENTS = 10_000
const CHUNK = 250
/** About 2.5 kB per event: 25 MB in all, far past what the kernel's socket buffers can hide. */
const PAD = 'x'.repeat(2500)

/** A client that sends its request and then reads nothing at all. */
function stalledClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET /api/v1/events/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${API_TOKEN}\r\nAccept: text/event-stream\r\n\r\n`)
      resolve(s)
    })
    s.pause()
    s.once('error', reject)
  })
}

function readToEnd(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = []
    s.on('data', (b: Buffer) => parts.push(b))
    s.once('close', () => resolve(Buffer.concat(parts).toString('utf8')))
    s.once('error', () => undefined)
    s.resume()
  })
}

interface Run {
  h: Harness
  /** The device's last seq: every event committed, in order. */
  lastSeq: number
  /** Events the reading client received. */
  delivered: number
  /** All the stalled client got, read from the moment it was cut to the end of its stream. */
  stalledText?: Promise<string>
}

/** 10,000 events through the pipeline, with a reading live client and, if asked, a stalled one. */
async function run(withStalled: boolean): Promise<Run> {
  const h = await startHarness({ devices: [{ id: 'panel-1', adapter: 'mqtt-ingest', kind: 'alarm' }], noUplink: true })
  const api = bearer(`http://127.0.0.1:${h.gateway.apiPort}`, API_TOKEN)
  let delivered = 0
  const reader = await openLive(api, (f) => {
    if (f.event === 'event' && (f.data as { device: string }).device === 'panel-1') delivered++
  })
  await h.logs.waitFor('live stream opened', { clients: 1 })
  const stalled = withStalled ? await stalledClient(h.gateway.apiPort) : undefined
  if (stalled) await h.logs.waitFor('live stream opened', { clients: 2 })
  // Once cut, the stalled client reads what it was sent: a client that still reads nothing a few
  // seconds after its cut is destroyed, and the rest of the run takes longer than that on a busy host.
  const stalledText = stalled && h.logs.waitFor('live stream client fell behind', undefined, 120_000).then(() => readToEnd(stalled))
  for (let sent = 0; sent < EVENTS; sent += CHUNK) {
    await Promise.all(
      Array.from({ length: CHUNK }, (_, i) => h.gateway.emitAs('panel-1', { type: 'intrusion', zone: String((sent + i) % 64), attrs: { pad: PAD } })),
    )
  }
  await reader.waitUntil(() => delivered === EVENTS, 60_000)
  reader.close()
  const [newest] = (await api.json<{ events: Array<{ seq: number }> }>('/api/v1/events?device=panel-1&limit=1')).events
  return { h, lastSeq: newest!.seq, delivered, ...(stalledText ? { stalledText } : {}) }
}

describe('a stalled live-stream client', () => {
  it('does not slow the pipeline: every event is committed and delivered as without it, and the client is cut with a bounded buffer', async () => {
    const calm = await run(false)
    await calm.h.stop()
    expect(calm).toMatchObject({ lastSeq: EVENTS, delivered: EVENTS })

    const busy = await run(true)
    try {
      expect(busy).toMatchObject({ lastSeq: EVENTS, delivered: EVENTS })
      const cut = await busy.h.logs.waitFor('live stream client fell behind')
      expect(cut['missed']).toBeGreaterThan(0)
      // What the gateway held for it at most: its queue bound plus one socket buffer and frame.
      expect(cut['peakBufferedBytes']).toBeLessThanOrEqual(MAX_QUEUED_BYTES + 64 * 1024)
      // Once it reads, it finds the frames it got, then how many it missed, then the end.
      const text = await busy.stalledText!
      const overflow = /event: overflow\r?\ndata: (\{"missed":\d+\})/.exec(text)
      expect(overflow, text.slice(-300)).not.toBeNull()
      expect(JSON.parse(overflow![1]!)).toEqual({ missed: cut['missed'] })
      expect(text.indexOf('event: event')).toBeLessThan(overflow!.index)
    } finally {
      await busy.h.stop()
    }
  }, 180_000)
})
