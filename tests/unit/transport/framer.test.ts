import { describe, expect, it } from 'vitest'
import { CountingFramer, type FramerDrop, type FramerItem, type ScanResult } from '../../../adapters/transport/framer.js'

/**
 * A minimal protocol to exercise the base class: STX, payload digits, ETX, and a check byte that
 * is the payload length. Real protocols (Contact ID, OSDP, Modbus) have their own tests.
 */
const STX = 0x02
const ETX = 0x03
class TinyFramer extends CountingFramer<string> {
  protected scan(buf: Buffer): ScanResult<string> {
    if (buf[0] !== STX) {
      const next = buf.indexOf(STX)
      return { kind: 'skip', length: next < 0 ? buf.length : next, reason: 'no STX' }
    }
    const end = buf.indexOf(ETX)
    if (end < 0 || end + 1 >= buf.length) return { kind: 'need' }
    const payload = buf.subarray(1, end).toString('latin1')
    if (buf[end + 1] !== payload.length) return { kind: 'bad', length: end + 2, reason: 'bad check' }
    return { kind: 'frame', length: end + 2, frame: payload }
  }
}

const frame = (p: string) => Buffer.concat([Buffer.from([STX]), Buffer.from(p), Buffer.from([ETX, p.length])])

function run(chunks: Buffer[], maxBufferBytes = 64) {
  const f = new TinyFramer({ maxBufferBytes })
  const items: Array<FramerItem<string>> = []
  const drops: FramerDrop[] = []
  f.on('data', (i: FramerItem<string>) => items.push(i))
  f.on('drop', (d: FramerDrop) => drops.push(d))
  for (const c of chunks) f.write(c)
  f.end()
  return { f, items, drops }
}

describe('CountingFramer', () => {
  const two = Buffer.concat([frame('123'), frame('4567')])

  it('reassembles frames split at every point', () => {
    for (let i = 0; i <= two.length; i++) {
      const { items, f } = run([two.subarray(0, i), two.subarray(i)])
      expect(items.map((x) => x.ok && x.frame)).toEqual(['123', '4567'])
      expect(f.stats).toEqual({ frames: 2, badFrames: 0, droppedRuns: 0, droppedBytes: 0, overflows: 0 })
    }
  })

  it('reassembles frames fed one byte at a time', () => {
    const { items } = run([...two].map((b) => Buffer.from([b])))
    expect(items).toHaveLength(2)
  })

  it('drops noise before a frame as one counted run and resyncs', () => {
    const { items, f, drops } = run([Buffer.from('garbage!'), frame('9')])
    expect(items.map((x) => x.ok && x.frame)).toEqual(['9'])
    expect(drops).toEqual([{ bytes: 8, reason: 'no STX' }])
    expect(f.stats).toMatchObject({ droppedRuns: 1, droppedBytes: 8 })
  })

  it('passes a bad frame on as not ok, then a good one', () => {
    const bad = frame('12')
    bad[bad.length - 1] = 7
    const { items, f } = run([Buffer.concat([bad, frame('34')])])
    expect(items[0]).toMatchObject({ ok: false, reason: 'bad check' })
    expect(items[0]!.raw.equals(bad)).toBe(true)
    expect(items[1]).toMatchObject({ ok: true, frame: '34' })
    expect(f.stats).toMatchObject({ frames: 1, badFrames: 1 })
  })

  it('discards an oversized frame, counts the overflow and recovers', () => {
    const huge = Buffer.concat([Buffer.from([STX]), Buffer.alloc(100, 0x31)])
    const { items, f } = run([huge, Buffer.from([ETX, 0]), frame('5')], 64)
    expect(f.stats.overflows).toBe(1)
    expect(items.filter((x) => x.ok).map((x) => x.ok && x.frame)).toEqual(['5'])
    expect(f.stats.droppedBytes).toBe(101 + 2)
  })

  it('counts a partial frame at the end of the stream and on reset', () => {
    const { f } = run([frame('1').subarray(0, 2)])
    expect(f.stats).toMatchObject({ droppedRuns: 1, droppedBytes: 2 })
    const g = new TinyFramer({ maxBufferBytes: 64 })
    g.write(Buffer.from([STX, 0x31]))
    g.reset()
    expect(g.stats).toMatchObject({ droppedRuns: 1, droppedBytes: 2 })
  })

  it('survives a scanner that throws, counting the buffer as a bad frame', () => {
    class Broken extends CountingFramer<string> {
      protected scan(): ScanResult<string> {
        throw new Error('boom')
      }
    }
    const f = new Broken({ maxBufferBytes: 8 })
    const items: Array<FramerItem<string>> = []
    f.on('data', (i: FramerItem<string>) => items.push(i))
    f.write(Buffer.from('abc'))
    expect(items[0]).toMatchObject({ ok: false, reason: 'scanner failed: boom' })
  })

  it('refuses a nonsensical cap in the constructor', () => {
    expect(() => new TinyFramer({ maxBufferBytes: 0 })).toThrow(RangeError)
  })
})
