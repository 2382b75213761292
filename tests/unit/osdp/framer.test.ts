import { describe, expect, it } from 'vitest'
import { OsdpFramer } from '../../../adapters/osdp/framer.js'
import type { DecodedFrame } from '../../../adapters/osdp/codec.js'
import { PLAIN, SESSIONS, hex, plain } from './vectors.js'

/** Feeds chunks synchronously and collects what comes out. */
function feed(chunks: Buffer[], opts?: { maxFrameBytes?: number }): { frames: DecodedFrame[]; framer: OsdpFramer } {
  const framer = new OsdpFramer(opts)
  const frames: DecodedFrame[] = []
  framer.on('data', (f: DecodedFrame) => frames.push(f))
  for (const c of chunks) framer.write(c)
  return { frames, framer }
}

const STREAM = Buffer.concat([...PLAIN.map((v) => hex(v.hex)), ...SESSIONS.flatMap((s) => s.frames.map((f) => hex(f.hex)))])
const COUNT = PLAIN.length + SESSIONS.reduce((n, s) => n + s.frames.length, 0)

describe('osdp framer', () => {
  it('finds every vector packet in one stream, mark bytes skipped silently', async () => {
    const { frames, framer } = feed([STREAM])
    await new Promise((r) => setImmediate(r))
    expect(frames.length).toBe(COUNT)
    expect(framer.counters).toMatchObject({ frames: COUNT, droppedBytes: 0, badFrames: 0 })
  })

  it.each(PLAIN.map((v) => [v.name, v.hex] as const))('reassembles %s split at every point', async (_n, h) => {
    const bytes = hex(h)
    for (let cut = 1; cut < bytes.length; cut++) {
      const { frames, framer } = feed([bytes.subarray(0, cut), bytes.subarray(cut)])
      await new Promise((r) => setImmediate(r))
      expect(frames.map((f) => f.raw.toString('hex'))).toEqual([h])
      expect(framer.counters.badFrames).toBe(0)
    }
  })

  it('reassembles the whole vector stream fed one byte at a time and at every two-way split', async () => {
    for (let cut = 1; cut < STREAM.length; cut += 7) {
      const { frames } = feed([STREAM.subarray(0, cut), STREAM.subarray(cut)])
      await new Promise((r) => setImmediate(r))
      expect(frames.length).toBe(COUNT)
    }
    const bytes = feed([...STREAM].map((b) => Buffer.from([b])))
    await new Promise((r) => setImmediate(r))
    expect(bytes.frames.length).toBe(COUNT)
  })

  it('resyncs after noise (including stray SOM bytes) and counts it', async () => {
    const noise = Buffer.from([0x00, 0x53, 0x12, 0x53, 0x99, 0x00, 0x07, 0x42])
    const { frames, framer } = feed([noise, plain('RAW card read'), noise, plain('ACK from addr 0')])
    await new Promise((r) => setImmediate(r))
    expect(frames.map((f) => f.code)).toEqual([0x50, 0x40])
    expect(framer.counters.droppedBytes + framer.counters.badFrames).toBeGreaterThan(0)
    expect(framer.counters.droppedRuns).toBeGreaterThan(0)
  })

  it('drops a packet with a bad CRC and still reads the good one after it', async () => {
    const bad = Buffer.from(plain('RAW card read'))
    bad[8]! ^= 0x10
    const { frames, framer } = feed([bad, plain('ISTATR')])
    await new Promise((r) => setImmediate(r))
    expect(frames.map((f) => f.code)).toEqual([0x49])
    expect(framer.counters.badFrames).toBeGreaterThanOrEqual(1)
  })

  it('drops a packet with a bad checksum and reads the next', async () => {
    const bad = Buffer.from(plain('POLL in checksum mode'))
    bad[bad.length - 1]! ^= 0xff
    const { frames, framer } = feed([bad, plain('POLL in checksum mode')])
    await new Promise((r) => setImmediate(r))
    expect(frames.length).toBe(1)
    expect(framer.counters.badFrames).toBe(1)
  })

  it('treats a LEN above the cap as noise instead of waiting for it', async () => {
    const big = Buffer.from([0x53, 0x00, 0xff, 0x0f, 0x04, 0x60])
    const { frames, framer } = feed([big, plain('ACK from addr 0')], { maxFrameBytes: 256 })
    await new Promise((r) => setImmediate(r))
    expect(frames.length).toBe(1)
    expect(framer.counters.badFrames).toBe(1)
  })

  it('discards a half-received packet when told the reply window closed', async () => {
    const ack = plain('ACK from addr 0')
    const { frames, framer } = feed([Buffer.from([0x53, 0x80, 0x00, 0x02, 0x05])])
    framer.discardPartial()
    framer.write(ack)
    await new Promise((r) => setImmediate(r))
    expect(frames.length).toBe(1)
    expect(framer.counters).toMatchObject({ truncated: 1, droppedBytes: 5 })
  })

  it('survives random garbage without throwing and finds a packet after it', async () => {
    let seed = 12345
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed & 0xff
    }
    const garbage = Buffer.from(Array.from({ length: 5000 }, rnd))
    const { frames, framer } = feed([garbage], { maxFrameBytes: 128 })
    framer.discardPartial()
    framer.write(plain('LSTATR'))
    await new Promise((r) => setImmediate(r))
    expect(frames.at(-1)?.code).toBe(0x48)
  })

  it('checks its options', () => {
    expect(() => new OsdpFramer({ maxFrameBytes: 3 })).toThrow(RangeError)
  })
})
