import { describe, expect, it } from 'vitest'
import vectors from '../../vectors/contact-id/contact-id.json' with { type: 'json' }
import { ContactIdFramer, type ContactIdFrame } from '../../../adapters/contact-id/framer.js'
import type { FramerDrop, FramerItem } from '../../../adapters/transport/framer.js'

const wire = vectors.receiver_messages.map((v) => Buffer.from(v.hex, 'hex'))
const panel = Buffer.from(`${vectors.contact_id_lines[0]!.line}\x14`, 'latin1')
const badPanel = Buffer.from(`${vectors.contact_id_lines[1]!.line}\x14`, 'latin1')
const all = Buffer.concat([...wire, panel])

function feed(chunks: Buffer[], opts = {}) {
  const f = new ContactIdFramer(opts)
  const items: Array<FramerItem<ContactIdFrame>> = []
  const drops: FramerDrop[] = []
  f.on('data', (i: FramerItem<ContactIdFrame>) => items.push(i))
  f.on('drop', (d: FramerDrop) => drops.push(d))
  for (const c of chunks) f.write(c)
  return { f, items, drops, kinds: () => items.map((i) => (i.ok ? i.frame.message.kind : `bad:${i.reason}`)) }
}

describe('ContactIdFramer', () => {
  it('yields every vector, split at every point', () => {
    for (let i = 0; i <= all.length; i++) {
      const { kinds, f } = feed([all.subarray(0, i), all.subarray(i)])
      expect(kinds()).toEqual(['event', 'event', 'heartbeat', 'panel-line'])
      expect(f.stats).toEqual({ frames: 4, badFrames: 0, droppedRuns: 0, droppedBytes: 0, overflows: 0 })
    }
  })

  it('yields every vector split at every pair of points (three chunks)', () => {
    const msg = wire[0]!
    for (let i = 0; i <= msg.length; i++) {
      for (let j = i; j <= msg.length; j++) {
        const { items } = feed([msg.subarray(0, i), msg.subarray(i, j), msg.subarray(j)])
        expect(items).toHaveLength(1)
        expect(items[0]!.ok && items[0]!.frame.text).toBe('5011 181234E12101001')
      }
    }
  })

  it('drops control-byte noise before a message, counted as one run, and keeps the message', () => {
    const noise = Buffer.from([0x00, 0xff, 0x07, 0x80, 0x1b])
    const { kinds, drops, f } = feed([noise, wire[0]!])
    expect(kinds()).toEqual(['event'])
    expect(drops).toEqual([{ bytes: 5, reason: 'control bytes outside a message' }])
    expect(f.stats.droppedBytes).toBe(5)
  })

  it('resyncs after noise in the middle of a message: the tail is garbled (NAK), the next is fine', () => {
    const m = wire[0]!
    const hit = Buffer.concat([m.subarray(0, 6), Buffer.from([0x00]), m.subarray(6)])
    const { kinds, f } = feed([hit, wire[1]!])
    // The tail "81234E12101001" must not pass as a message of "protocol 8" and be acknowledged.
    expect(kinds()).toEqual(['bad:no protocol header (PRRL)', 'event'])
    expect(f.stats).toMatchObject({ frames: 1, badFrames: 1, droppedRuns: 1, droppedBytes: 7 })
  })

  it('never acknowledges the tail of a message cut by noise at any point', () => {
    for (const m of [wire[0]!, wire[1]!, wire[2]!, panel]) {
      for (let i = 1; i < m.length - 1; i++) {
        const hit = Buffer.concat([m.subarray(0, i), Buffer.from([0x00]), m.subarray(i)])
        const { items } = feed([hit])
        expect(items, `${m.toString('latin1')} cut at ${i}`).toHaveLength(1)
        expect(items[0]!.ok, `${m.toString('latin1')} cut at ${i}`).toBe(false)
      }
    }
  })

  it('passes a bad checksum on as a bad frame, then a good frame', () => {
    const { kinds } = feed([Buffer.concat([badPanel, panel])])
    expect(kinds()).toEqual(['bad:Contact ID checksum mismatch', 'panel-line'])
  })

  it('printable garbage ending in DC4 is a bad frame (the receiver is asked to repeat)', () => {
    const { items } = feed([Buffer.from('zz5011 181234E12101001\x14')])
    expect(items[0]).toMatchObject({ ok: false, reason: 'Contact ID body without its 5RRL header' })
    expect(items[0]!.raw.toString('latin1')).toBe('zz5011 181234E12101001\x14')
  })

  it('discards a message longer than the cap and recovers at the next one', () => {
    const { kinds, f } = feed([Buffer.alloc(300, 0x35), Buffer.from('\x14'), wire[0]!], { maxBufferBytes: 256 })
    expect(f.stats.overflows).toBe(1)
    // The whole buffer went; the lone DC4 after it is an empty (garbled) message, then the good one.
    expect(kinds()).toEqual(['bad:empty message', 'event'])
    expect(f.stats.droppedBytes).toBe(300)
  })

  it('never throws on random bytes and accounts for every byte', () => {
    let seed = 42
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => (rnd() < 0.1 ? 0x14 : Math.floor(rnd() * 256))))
      const { f, items } = feed([bytes])
      f.end()
      const framed = items.reduce((n, i) => n + i.raw.length, 0)
      expect(framed + f.stats.droppedBytes).toBe(bytes.length)
    }
  })
})
