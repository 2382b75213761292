import { afterEach, describe, expect, it, vi } from 'vitest'
import { RtuFramer, type RtuDrop, type FramerRole } from '../../../adapters/modbus/framer.js'
import { withCrc } from '../../../adapters/modbus/crc.js'
import { ALL_FRAMES, vector } from './vectors.js'

/** The drop of `raw`, as the framer reports it. */
const drop = (reason: RtuDrop['reason'], raw: Buffer): RtuDrop => ({ reason, bytes: raw.length, raw })

function collect(role: FramerRole, opts: { silenceMs?: number } = {}) {
  const framer = new RtuFramer({ role, ...opts })
  const frames: string[] = []
  const drops: RtuDrop[] = []
  framer.on('data', (f: Buffer) => frames.push(f.toString('hex')))
  framer.on('drop', (d: RtuDrop) => drops.push(d))
  return { framer, frames, drops }
}

/** Writes the chunks and lets the stream deliver them. */
async function feed(framer: RtuFramer, ...chunks: Buffer[]): Promise<void> {
  for (const c of chunks) framer.write(c)
  await new Promise<void>((r) => setImmediate(r))
}

const RESPONSES = ALL_FRAMES.filter((f) => f.kind === 'response')
const REQUESTS = ALL_FRAMES.filter((f) => f.kind === 'request')

describe('RtuFramer (master: responses)', () => {
  it.each(RESPONSES)('$name: found whole and at every split point', async ({ bytes }) => {
    for (let split = 0; split <= bytes.length; split++) {
      const { framer, frames, drops } = collect('master')
      await feed(framer, bytes.subarray(0, split), bytes.subarray(split))
      expect(frames, `split at ${split}`).toEqual([bytes.toString('hex')])
      expect(drops).toEqual([])
    }
  })

  it('every response back to back, one byte at a time', async () => {
    const { framer, frames } = collect('master')
    const all = Buffer.concat(RESPONSES.map((f) => f.bytes))
    for (const b of all) framer.write(Buffer.from([b]))
    await feed(framer)
    expect(frames).toEqual(RESPONSES.map((f) => f.hex))
  })

  it('noise before a frame is dropped as one run and the frame still found', async () => {
    const { framer, frames, drops } = collect('master')
    const frame = vector('7 registers: 0,0,3600,0,0,0xFFFF,0xFFFF')
    await feed(framer, Buffer.from([0x00, 0xff, 0xfe, 0x00]), frame)
    expect(frames).toEqual([frame.toString('hex')])
    expect(drops).toEqual([drop('noise', Buffer.from([0x00, 0xff, 0xfe, 0x00]))])
    expect(framer.stats).toMatchObject({ frames: 1, dropRuns: 1, droppedBytes: 4, badCrc: 0 })
  })

  it('a bad CRC then a good frame: one bad frame counted, the good one kept', async () => {
    const { framer, frames, drops } = collect('master')
    framer.expect({ unit: 7, fc: 0x10, length: 8 })
    const good = vector('write multiple registers response')
    const bad = Buffer.from(good)
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff
    await feed(framer, bad, good)
    expect(frames).toEqual([good.toString('hex')])
    expect(framer.stats.badCrc).toBe(1)
    expect(drops.map((d) => d.reason)).toEqual(['crc'])
    expect(drops.reduce((n, d) => n + d.bytes, 0)).toBe(bad.length)
  })

  it('every split point of noise + bad frame + good frame gives the good frame once', async () => {
    const good = vector('exception 02 (illegal data address) to function 03')
    const bad = Buffer.from(vector('write single coil 0 = ON, unit 1 (the response echoes it)'))
    bad[4] = 0x7f
    const stream = Buffer.concat([Buffer.from([0x99, 0x00]), bad, good])
    for (let split = 0; split <= stream.length; split++) {
      const { framer, frames } = collect('master')
      await feed(framer, stream.subarray(0, split), stream.subarray(split))
      expect(frames, `split at ${split}`).toEqual([good.toString('hex')])
    }
  })

  it('a noise header claiming a long frame is given up on resync, and the frame behind it is found', async () => {
    const { framer, frames, drops } = collect('master')
    const frame = vector('write single register 5 = 1, unit 1 (echoed)')
    // 01 03 F0 claims 240 data bytes: the framer waits for them.
    await feed(framer, Buffer.from([0x01, 0x03, 0xf0]), frame)
    expect(frames).toEqual([])
    expect(framer.pendingBytes).toBe(3 + frame.length)
    framer.resync()
    await feed(framer)
    expect(frames).toEqual([frame.toString('hex')])
    expect(drops).toEqual([drop('resync', Buffer.from([0x01, 0x03, 0xf0]))])
    expect(framer.pendingBytes).toBe(0)
  })

  it('without an expected reply, a bad frame can hide the good one until resync', async () => {
    const { framer, frames } = collect('master')
    const good = vector('write multiple registers response')
    const bad = Buffer.from(good)
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff
    // Inside the bad frame, 01 11 51 looks like a report-server-id reply of 81 bytes.
    await feed(framer, bad, good)
    expect(frames).toEqual([])
    framer.resync()
    await feed(framer)
    expect(frames).toEqual([good.toString('hex')])
  })

  it('an expected reply turns replies from other units or functions into noise', async () => {
    const { framer, frames, drops } = collect('master')
    framer.expect({ unit: 7, fc: 3, length: 19 })
    const other = vector('write single register 5 = 1, unit 1 (echoed)')
    const good = vector('7 registers: 0,0,3600,0,0,0xFFFF,0xFFFF')
    const exc = vector('exception 02 (illegal data address) to function 03')
    await feed(framer, other, good, exc)
    expect(frames).toEqual([good.toString('hex'), exc.toString('hex')])
    expect(drops[0]).toEqual(drop('noise', other))
  })

  it('an oversized frame (byte count past 256) is noise, not a wait', async () => {
    const { framer, frames } = collect('master')
    const good = vector('read coils 0..1 response, none set')
    // Byte count 0xFE would make a 259-byte ADU: not a frame start.
    await feed(framer, Buffer.from([0x07, 0x03, 0xfe]), good)
    expect(frames).toEqual([good.toString('hex')])
  })

  it('a flood of noise is reported in capped runs and the buffer stays bounded', async () => {
    const { framer, drops } = collect('master')
    const noise = Buffer.alloc(10_000, 0xff)
    await feed(framer, noise)
    expect(framer.pendingBytes).toBe(0)
    expect(framer.stats.droppedBytes).toBe(10_000)
    expect(Math.max(...drops.map((d) => d.bytes))).toBeLessThanOrEqual(256)
  })

  it('random bytes never throw, and a frame after them is found after a resync', async () => {
    let seed = 7
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff
    const good = vector('write multiple registers response')
    for (let round = 0; round < 200; round++) {
      const { framer, frames } = collect('master')
      const junk = Buffer.from(Array.from({ length: 1 + (rnd() % 40) }, rnd))
      await feed(framer, junk)
      framer.resync()
      await feed(framer, good)
      expect(frames.at(-1)).toBe(good.toString('hex'))
    }
  })

  describe('with silenceMs', () => {
    afterEach(() => vi.useRealTimers())

    it('gives up on a stalled partial frame after the silence', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const { framer, drops } = collect('master', { silenceMs: 20 })
      framer.write(Buffer.from([0x07, 0x03, 0x0e, 0x00]))
      await vi.advanceTimersByTimeAsync(10)
      expect(drops).toEqual([])
      await vi.advanceTimersByTimeAsync(15)
      expect(drops).toEqual([drop('silence', Buffer.from([0x07, 0x03, 0x0e, 0x00]))])
    })
  })
})

describe('RtuFramer (slave: requests)', () => {
  it.each(REQUESTS)('$name: found whole and at every split point', async ({ bytes }) => {
    for (let split = 0; split <= bytes.length; split++) {
      const { framer, frames } = collect('slave')
      await feed(framer, bytes.subarray(0, split), bytes.subarray(split))
      expect(frames, `split at ${split}`).toEqual([bytes.toString('hex')])
    }
  })

  it('a write-multiple-coils request with its byte count', async () => {
    const { framer, frames } = collect('slave')
    const req = withCrc(Buffer.from('110f0013000a02cd01', 'hex'))
    await feed(framer, Buffer.from([0xfa]), req)
    expect(frames).toEqual([req.toString('hex')])
  })
})

describe('RtuFramer options', () => {
  it('checks its options in the constructor', () => {
    expect(() => new RtuFramer({ role: 'x' as FramerRole })).toThrow(TypeError)
    expect(() => new RtuFramer({ role: 'master', maxBufferBytes: 100 })).toThrow(TypeError)
    expect(() => new RtuFramer({ role: 'master', silenceMs: 0 })).toThrow(TypeError)
  })
})
