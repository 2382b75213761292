import { FC, type ModbusRequest, type ModbusResponse, type ReadFc } from './codec.js'
import type { Point, Profile, Table } from './profile.js'

/** One read request of a poll and the points it carries. */
export interface ReadBlock {
  table: Table
  fc: ReadFc
  address: number
  quantity: number
  points: string[]
}

const READ_FC: Record<Table, ReadFc> = {
  coil: FC.READ_COILS,
  discrete: FC.READ_DISCRETE_INPUTS,
  holding: FC.READ_HOLDING_REGISTERS,
  input: FC.READ_INPUT_REGISTERS,
}
/** Per-request limits. [MB-AP §6.1-6.4] */
const MAX_QUANTITY: Record<Table, number> = { coil: 2000, discrete: 2000, holding: 125, input: 125 }

/** Registers (or bits) a point occupies. */
export function width(p: Point): number {
  return p.type === 'u32' || p.type === 'i32' || p.type === 'f32' ? 2 : 1
}

/**
 * The fewest read requests that cover every point: per table, points sorted by address, joined
 * when the gap between them is at most `maxReadGap` and the request stays within its limit.
 * Fewer requests matter on a 9600-baud bus: each costs a request, a reply and turnaround time.
 */
export function planReads(profile: Profile): ReadBlock[] {
  const blocks: ReadBlock[] = []
  for (const table of ['coil', 'discrete', 'holding', 'input'] as const) {
    const pts = Object.entries(profile.points)
      .filter(([, p]) => p.table === table)
      .sort(([, a], [, b]) => a.address - b.address)
    let cur: ReadBlock | undefined
    for (const [name, p] of pts) {
      const end = p.address + width(p)
      const gapOk = cur !== undefined && p.address <= cur.address + cur.quantity + profile.maxReadGap
      if (cur !== undefined && gapOk && Math.max(end, cur.address + cur.quantity) - cur.address <= MAX_QUANTITY[table]) {
        cur.quantity = Math.max(end, cur.address + cur.quantity) - cur.address
        cur.points.push(name)
        continue
      }
      cur = { table, fc: READ_FC[table], address: p.address, quantity: width(p), points: [name] }
      blocks.push(cur)
    }
  }
  return blocks
}

export function readRequest(unit: number, b: ReadBlock): ModbusRequest {
  return { unit, fc: b.fc, address: b.address, quantity: b.quantity }
}

/** The raw (unscaled) value of `p` from the reply to its block; booleans as 0 and 1. */
export function rawValue(p: Point, block: ReadBlock, res: ModbusResponse): number {
  const at = p.address - block.address
  if ('bits' in res) return res.bits[at] ? 1 : 0
  if (!('registers' in res)) throw new TypeError('not a read reply')
  const r0 = res.registers[at] as number
  switch (p.type) {
    case 'bool':
      return r0 === 0 ? 0 : 1
    case 'u16':
      return p.bits ? (r0 >>> p.bits.from) & ((1 << p.bits.count) - 1) : r0
    case 'i16':
      return (r0 << 16) >> 16
    default: {
      const r1 = res.registers[at + 1] as number
      const [hi, lo] = p.wordOrder === 'high-first' ? [r0, r1] : [r1, r0]
      const b = Buffer.alloc(4)
      b.writeUInt16BE(hi, 0)
      b.writeUInt16BE(lo, 2)
      if (p.type === 'u32') return b.readUInt32BE(0)
      if (p.type === 'i32') return b.readInt32BE(0)
      return b.readFloatBE(0)
    }
  }
}

/** Engineering value: raw * scale + offset, rounded to drop binary noise (0.1 * 3 = 0.30000000000000004). */
export function scaled(p: Point, raw: number): number {
  const v = raw * p.scale + p.offset
  return Number.isInteger(v) ? v : Number(v.toPrecision(7))
}
