import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ModbusRequest } from '../../../adapters/modbus/codec.js'

interface VectorFile {
  frames: { name: string; kind: 'request' | 'response'; hex: string }[]
}

const file = fileURLToPath(new URL('../../vectors/modbus/modbus.json', import.meta.url))
const data = JSON.parse(readFileSync(file, 'utf8')) as VectorFile

/** The frame named `name` in tests/vectors/modbus/modbus.json. */
export function vector(name: string): Buffer {
  const f = data.frames.find((x) => x.name === name)
  if (!f) throw new Error(`no vector named "${name}"`)
  return Buffer.from(f.hex, 'hex')
}

export const ALL_FRAMES = data.frames.map((f) => ({ ...f, bytes: Buffer.from(f.hex, 'hex') }))

/** Each request vector with the request it encodes (read from its name, checked by hand). */
export const REQUESTS: { name: string; req: ModbusRequest }[] = [
  { name: 'read holding registers 0..6, unit 7', req: { unit: 7, fc: 3, address: 0, quantity: 7 } },
  { name: 'write single coil 0 = ON, unit 1 (the response echoes it)', req: { unit: 1, fc: 5, address: 0, value: true } },
  { name: 'write single coil 0 = OFF, unit 1', req: { unit: 1, fc: 5, address: 0, value: false } },
  { name: 'write single register 5 = 1, unit 1 (echoed)', req: { unit: 1, fc: 6, address: 5, value: 1 } },
  { name: 'write multiple registers 5 = [0], unit 7', req: { unit: 7, fc: 16, address: 5, values: [0] } },
  { name: 'broadcast write coil 0 = ON (unit 0, no reply)', req: { unit: 0, fc: 5, address: 0, value: true } },
]
